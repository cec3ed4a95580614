"""Notices that reach people: the sender that drains the outbox, the messages it renders and
the SMTP channel it delivers through."""
