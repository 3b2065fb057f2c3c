"""Local stand-ins for the messaging platforms (Telegram Bot API, WhatsApp Cloud API).

They speak real HTTP so the demo, the tests and the benchmarks exercise the same client code as
production: ``integrations.simulator.app.create_app()`` builds the ASGI app, ``integrations.simulator.server``
runs it in a thread, and ``integrations.simulator.client`` drives its control API. Nothing is imported here, so the
client (used by the CLI) does not load the web framework the simulator itself needs.
"""
