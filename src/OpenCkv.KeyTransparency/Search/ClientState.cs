namespace OpenCkv.KeyTransparency.Search;

/// <summary>An entry on the frontier that the client retains (KT §4.2): position, timestamp, prefix-tree root.</summary>
public sealed record FrontierEntry(ulong Position, ulong Timestamp, Hash32 PrefixRoot);

/// <summary>
/// What a client retains between queries (KT §4.2, §13): the last verified tree head, the heads of the log tree's
/// full subtrees, and the frontier entries. Immutable: a verifier returns a new state only after a response
/// verified completely, and the old one stays as it was otherwise.
/// </summary>
public sealed record ClientState(TreeHead Head, IReadOnlyList<Hash32> FullSubtrees, IReadOnlyList<FrontierEntry> Frontier)
{
    /// <summary>The size of the last verified tree.</summary>
    public ulong TreeSize => Head.TreeSize;

    /// <summary>The rightmost entry's timestamp.</summary>
    public ulong RightmostTimestamp => Frontier[^1].Timestamp;

    /// <summary>In a third-party-auditing log, the auditor's head that came with <see cref="Head"/> (KT §11.3).</summary>
    public AuditorTreeHead? AuditorHead { get; init; }

    /// <inheritdoc />
    public bool Equals(ClientState? other) =>
        other is not null && Head.Equals(other.Head) && Equals(AuditorHead, other.AuditorHead) &&
        FullSubtrees.SequenceEqual(other.FullSubtrees) && Frontier.SequenceEqual(other.Frontier);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Head.TreeSize, FullSubtrees.Count, Frontier.Count);
}

/// <summary>
/// A verified search: the version and value, the terminal entry, whether the draft obliges the user to monitor the
/// label from there (KT §6.3, §7.2: the terminal entry lies right of the rightmost distinguished entry), and the
/// new client state.
/// </summary>
public sealed record VerifiedSearch(uint Version, UpdateValue Value, ulong TerminalPosition, bool MustMonitor, ClientState State)
{
    /// <summary>The search key and commitment of every ladder version the response proved both of: what contact
    /// monitoring of this version needs later (KT §8.1).</summary>
    public IReadOnlyDictionary<uint, PrefixLeaf> KnownLeaves { get; init; } = new Dictionary<uint, PrefixLeaf>();
}
