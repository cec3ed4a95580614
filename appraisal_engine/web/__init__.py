"""The web app: server-rendered pages for employees, supervisors, HR and auditors, served by the
API's process and calling the same services."""
