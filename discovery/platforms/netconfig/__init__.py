"""Running-configuration capture shared by the network CLI platforms: per-platform
secret and volatile-line rules (`rules`), pure redaction with keyed fingerprints
(`redact`), and the `running_config` collector producing a `ConfigSnapshot`."""

from discovery.platforms.netconfig.collector import running_config_collector
from discovery.platforms.netconfig.redact import RedactedConfig, redact_config

__all__ = ["RedactedConfig", "redact_config", "running_config_collector"]
