"""One module per route; kivra_app/kivra_app.py registers them with app.add_page."""
