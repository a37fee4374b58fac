"""The web service with state: the aiohttp app and its routes, chat turns, the drafts repository, OpenAPI."""
