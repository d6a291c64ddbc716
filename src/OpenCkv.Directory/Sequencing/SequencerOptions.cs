namespace OpenCkv.Directory.Sequencing;

/// <summary>How the sequencer batches (DESIGN §3).</summary>
public sealed record SequencerOptions
{
    /// <summary>How long the first waiting value may wait for others to join its entry.</summary>
    public TimeSpan BatchInterval { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// The most label-versions in one entry. One request's values are never split, so a request larger than this
    /// is an entry of its own.
    /// </summary>
    public int MaxBatch { get; init; } = 2_000;

    /// <summary>How long the log may go without an entry before an empty heartbeat entry is appended.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(30);
}
