namespace OpenCkv.Client;

/// <summary>The SDK's settings.</summary>
public sealed record CkvOptions
{
    /// <summary>
    /// How long an unreachable log keeps a contact's last verified state before the contact turns to the warning
    /// <c>unavailable</c> (DESIGN §5). Must stay below the log's <c>max_behind</c>.
    /// </summary>
    public TimeSpan GracePeriod { get; init; } = TimeSpan.FromHours(1);

    /// <summary>The fraction of outgoing messages that carry a signed distinguished-heads response for fork detection (DESIGN §5).</summary>
    public double GossipFraction { get; init; } = 1.0;
}
