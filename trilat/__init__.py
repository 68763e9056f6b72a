"""trilat: topic and stance classifier for paragraphs on US–Japan–South Korea relations."""
