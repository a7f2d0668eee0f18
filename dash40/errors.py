"""Exception types. Each message is one sentence a coach can act on; the CLI and the
dashboard print it as it is (no traceback)."""


class Dash40Error(Exception):
    """Base of every error dash40 raises on purpose."""


class VideoError(Dash40Error):
    """The clip cannot be read as a video (not a video, truncated, audio only, ...)."""


class CalibrationError(Dash40Error):
    """The timing-line calibration is malformed or does not fit the clip."""


class AnalysisError(Dash40Error):
    """The clip was read but could not be timed (no runner, runner never reaches a line, ...)."""


class FitError(Dash40Error):
    """A sprint model could not be fitted to the data given."""


class InputError(Dash40Error):
    """A number or option given by the user is impossible (negative mass, unknown units, ...)."""
