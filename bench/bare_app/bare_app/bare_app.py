"""One field, one handler that checks it: the smallest honest counterpart of a signup step."""

import reflex as rx


class FormState(rx.State):
    value: str = ""
    error: str = ""

    @rx.event
    def submit(self, form_data: dict):
        self.value = str(form_data.get("value", ""))[:64]
        self.error = "" if self.value.isdigit() and len(self.value) == 12 else "Ogiltigt värde"


def index() -> rx.Component:
    return rx.el.main(
        rx.el.h1("Bare"),
        rx.el.form(
            rx.el.label("Värde", html_for="value"),
            rx.el.input(id="value", name="value"),
            rx.el.p(FormState.error),
            rx.el.button("Skicka", type="submit"),
            on_submit=FormState.submit,
        ),
    )


app = rx.App()
app.add_page(index, route="/", title="Bare")
