using OpenCkv.Directory;
using OpenCkv.Directory.Sequencing;

namespace OpenCkv.Server;

/// <summary>How `ckv server` runs.</summary>
public sealed record ServerOptions
{
    /// <summary>The data folder: the log (keys, configuration, log.db) and the directory (directory.db).</summary>
    public required string DataFolder { get; init; }

    /// <summary>
    /// A PostgreSQL connection string: the log, the directory and the relays live there (in the <c>public</c>
    /// schema) instead of the data folder's SQLite files. The keys, the configuration and the high-water mark stay
    /// in the data folder either way.
    /// </summary>
    public string? Postgres { get; init; }

    /// <summary>The addresses to listen on (Kestrel URLs; https needs a certificate in Kestrel's configuration).</summary>
    public string Urls { get; init; } = "http://127.0.0.1:8480";

    /// <summary>
    /// Development mode: one-time codes are written to the console and served by <c>GET /dev/codes/{handle}</c>.
    /// Never for a server people rely on.
    /// </summary>
    public bool Dev { get; init; }

    /// <summary>Batching and heartbeats.</summary>
    public SequencerOptions Sequencer { get; init; } = new();

    /// <summary>Directory settings (software minimums, code lifetime).</summary>
    public DirectoryOptions Directory { get; init; } = new();

    /// <summary>Searches each device may make per minute (an operator may raise it for benchmarks).</summary>
    public int SearchesPerMinute { get; init; } = 600;

    /// <summary>Signed requests each device may make per minute (reads and searches use a session instead).</summary>
    public int SignedPerMinute { get; init; } = 300;

    /// <summary>Handle-code requests, registrations and second-factor attempts per client address per minute.</summary>
    public int SensitivePerMinute { get; init; } = 20;

    /// <summary>
    /// With <see cref="Postgres"/>: how long the sequencer lease lasts without renewal (renewed every third of it).
    /// A writer that stops renewing is replaced after at most this long.
    /// </summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>With <see cref="Postgres"/>: how often a read replica looks for new entries and for a free lease.</summary>
    public TimeSpan ReplicaPoll { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// With <see cref="Postgres"/>: the address this server gives replicas to send changes to while it sequences
    /// (default: the first of <see cref="Urls"/>).
    /// </summary>
    public string? Advertise { get; init; }

    /// <summary>The largest request body accepted.</summary>
    public int MaxBodyBytes { get; init; } = 256 * 1024;
}
