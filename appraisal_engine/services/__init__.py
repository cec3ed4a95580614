"""The service layer: what the API's routes and the web pages do beyond HTTP, one module per
subject. Services take the caller and plain arguments, read and write through repositories and
the Temporal client, return models, and raise `services.errors`; they know nothing of HTTP."""
