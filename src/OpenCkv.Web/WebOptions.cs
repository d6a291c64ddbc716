namespace OpenCkv.Web;

/// <summary>How `ckv web` runs: where the device profiles live and where it listens.</summary>
public sealed record WebOptions
{
    /// <summary>The CKV home folder (<c>CKV_HOME</c>); profiles are its <c>profiles/NAME</c> folders, as for the CLI.</summary>
    public required string Home { get; init; }

    /// <summary>The addresses to listen on; loopback only, as the app speaks for the devices whose keys it holds.</summary>
    public string Urls { get; init; } = "http://127.0.0.1:5080";

    /// <summary>How long "Verify Contact" waits for the other person to open theirs.</summary>
    public TimeSpan ComparisonTimeout { get; init; } = TimeSpan.FromMinutes(2);
}
