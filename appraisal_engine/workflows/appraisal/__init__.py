"""AppraisalWorkflow and what it is made of: one year's state, its clock, its stages."""
