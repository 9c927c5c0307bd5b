"""The district configuration: models, loading with located errors, and the environment.

`models` holds the pydantic models, `loading` reads and validates a TOML file, `errors` words
every problem, `checks` finds broken cross-references, `toml_lines` finds a field's line and
`env` reads the token and server address from the environment (never from the TOML file).
"""

from bot.config.emergency import EmergencySettings
from bot.config.errors import ConfigError, ConfigIssue
from bot.config.loading import load_config, parse_config_text, validate_config_data
from bot.config.models import (
    COMMUNITY_KIND_NAMES,
    GRID_TYPE_NAMES,
    Calendar,
    Community,
    Config,
    Department,
    District,
    Grid,
    GridType,
    IntakeSettings,
    LevelDeadline,
    PrivacySettings,
    QuietHours,
    RiskSettings,
    RiskWeights,
    Street,
    User,
)

__all__ = [
    "COMMUNITY_KIND_NAMES",
    "GRID_TYPE_NAMES",
    "Calendar",
    "Community",
    "Config",
    "ConfigError",
    "ConfigIssue",
    "Department",
    "District",
    "EmergencySettings",
    "Grid",
    "GridType",
    "IntakeSettings",
    "LevelDeadline",
    "PrivacySettings",
    "QuietHours",
    "RiskSettings",
    "RiskWeights",
    "Street",
    "User",
    "load_config",
    "parse_config_text",
    "validate_config_data",
]
