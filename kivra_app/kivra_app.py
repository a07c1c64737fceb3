"""The Reflex app: wires pages, HTTP routes and lifespan tasks. No logic here."""

import reflex as rx


def index() -> rx.Component:
    return rx.center(rx.vstack(rx.heading("Skapa ett Kivra-konto"), rx.button("Skapa konto")))


app = rx.App()
app.add_page(index, route="/", title="Kivra")
