"""Page objects: one thin class per screen. Locators are properties found the way a person
finds things (role + name, label, visible text); names come from the catalogue, so an object
works in either language (`lang=`). Methods do one step; assertions stay in the tests."""
