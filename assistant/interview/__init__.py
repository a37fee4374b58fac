"""The guided interview: what the form still needs, the next question, and reading what the officer says
(answers, project fields, notes routed to their section). Pure logic: no I/O, no web service."""
