using OpenCkv.Directory.Devices;

namespace OpenCkv.Directory;

/// <summary>The directory's operator settings.</summary>
public sealed record DirectoryOptions
{
    /// <summary>The per-platform minimum software versions for CKV.</summary>
    public SoftwareMinimums Minimums { get; init; } = SoftwareMinimums.Default;

    /// <summary>How long a handle's one-time code stays valid.</summary>
    public TimeSpan CodeLifetime { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Wrong guesses allowed per code before a new one must be requested.</summary>
    public int CodeAttempts { get; init; } = 5;
}
