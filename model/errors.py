"""Errors a user can cause. The CLI turns each into one line on stderr and exit code 2."""


class TrilatError(Exception):
    """A problem with the user's input, config, data or model directory."""


class ModelError(TrilatError):
    """A model directory that is missing, incomplete, corrupted or of an unknown kind."""


class DataError(TrilatError):
    """A data file that cannot be read or fails validation (the message names file:line)."""


class ConfigError(TrilatError):
    """A config file with an unknown key, a wrong type or a bad value."""
