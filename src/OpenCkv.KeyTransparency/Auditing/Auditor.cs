using OpenCkv.Crypto;
using OpenCkv.Crypto.Signatures;
using OpenCkv.KeyTransparency.Search;
using OpenCkv.KeyTransparency.Trees;
using OpenCkv.KeyTransparency.Verification;

namespace OpenCkv.KeyTransparency.Auditing;

/// <summary>
/// A third-party auditor (KT §15.2): follows a third-party-auditing log entry by entry from its first entry,
/// checking every <see cref="AuditorUpdate"/> as the draft's eight steps require, and signs
/// <see cref="AuditorTreeHead"/>s for what it has verified. It keeps the log tree's full subtrees, the current
/// prefix root, every entry's timestamp and where each current leaf was added (for the removal rule of step 5).
/// An update that fails any check changes nothing.
/// </summary>
public sealed class Auditor
{
    private readonly CryptoSuite _suite;
    private readonly List<ulong> _timestamps = [];
    private readonly Dictionary<Hash32, ulong> _addedAt = [];
    private IReadOnlyList<Hash32> _fullSubtrees = [];
    private Func<byte[], byte[]> _sign;
    private Hash32 _prefixRoot = Hash32.Zero;

    private Auditor(CryptoSuite suite, Configuration configuration, EcdsaP256PrivateKey key)
    {
        _suite = suite;
        Configuration = configuration;
        _sign = message => key.Sign(message);
    }

    /// <summary>Makes signatures reproducible (for example RFC 6979), for the project's known-answer files only.</summary>
    internal void UseDeterministicSigner(Func<byte[], byte[]> sign) => _sign = sign;

    /// <summary>The audited log's configuration.</summary>
    public Configuration Configuration { get; }

    /// <summary>The number of entries verified.</summary>
    public ulong TreeSize => (ulong)_timestamps.Count;

    /// <summary>The prefix tree's root after the last verified entry (32 zero bytes before the first).</summary>
    public Hash32 PrefixRoot => _prefixRoot;

    /// <summary>The log root at <see cref="TreeSize"/>.</summary>
    public Hash32 Root => TreeSize == 0
        ? throw new InvalidOperationException("No entry has been verified yet.")
        : LogTreeProof.RootFromFullSubtrees(LogRange.FullSubtrees(TreeSize), _fullSubtrees, _suite.TreeHashes);

    /// <summary>Starts auditing a log from its first entry.</summary>
    /// <exception cref="ArgumentException">The log is not a third-party-auditing log naming this key, or its auditor
    /// starts later than its first entry.</exception>
    public static Auditor Create(CryptoSuite suite, Configuration configuration, EcdsaP256PrivateKey key)
    {
        ArgumentNullException.ThrowIfNull(suite);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(key);
        configuration.Validated();
        if (configuration.Mode != DeploymentMode.ThirdPartyAuditing ||
            !configuration.AuditorPublicKey.AsSpan().SequenceEqual(key.PublicKey.Encoded))
        {
            throw new ArgumentException("The configuration must be a third-party-auditing log naming this auditor's key.", nameof(configuration));
        }

        if (configuration.AuditorStartPosition != 0)
        {
            throw new ArgumentException("This auditor follows a log from its first entry (auditor_start_pos 0).", nameof(configuration));
        }

        return new Auditor(suite, configuration, key);
    }

    /// <summary>The format of <see cref="ExportState"/>.</summary>
    public const byte StateFormat = 1;

    /// <summary>
    /// Everything the auditor keeps between entries, so that a restart resumes without verifying the log again
    /// (docs/protocol-notes.md, "Third-party auditing"): the encoding is
    /// <c>uint8 format; uint64 tree_size; uint64 timestamps[tree_size]; opaque prefix_root[32];
    /// uint8 full_subtree_count; opaque full_subtrees[count][32]; uint64 leaf_count; {opaque vrf_output[32]; uint64 added_at}[leaf_count]</c>,
    /// leaves in ascending VRF output order so equal states encode equally.
    /// </summary>
    public byte[] ExportState()
    {
        var writer = new Tls.TlsWriter();
        writer.WriteUInt8(StateFormat);
        writer.WriteUInt64(TreeSize);
        foreach (ulong timestamp in _timestamps)
        {
            writer.WriteUInt64(timestamp);
        }

        writer.WriteFixed(_prefixRoot.Span, Hash32.Size);
        writer.WriteUInt8(checked((byte)_fullSubtrees.Count));
        foreach (Hash32 subtree in _fullSubtrees)
        {
            writer.WriteFixed(subtree.Span, Hash32.Size);
        }

        writer.WriteUInt64((ulong)_addedAt.Count);
        foreach ((Hash32 leaf, ulong position) in _addedAt.OrderBy(p => p.Key.ToString(), StringComparer.Ordinal))
        {
            writer.WriteFixed(leaf.Span, Hash32.Size);
            writer.WriteUInt64(position);
        }

        return writer.ToArray();
    }

    /// <summary>
    /// An auditor resumed from <paramref name="state"/> (<see cref="ExportState"/>), checked for shape: the full
    /// subtrees a log of that size has, timestamps in order, every leaf added at a position it holds. Whether the
    /// state is the one the auditor had is for the caller to check, against a head the auditor signed.
    /// </summary>
    /// <exception cref="Tls.KtFormatException">The state is malformed or inconsistent.</exception>
    /// <exception cref="ArgumentException">As <see cref="Create"/>.</exception>
    public static Auditor Restore(CryptoSuite suite, Configuration configuration, EcdsaP256PrivateKey key, ReadOnlySpan<byte> state)
    {
        Auditor auditor = Create(suite, configuration, key);
        var reader = new Tls.TlsReader(state);
        reader.ReadEnum8(v => v == StateFormat, "auditor state format");
        ulong size = reader.ReadUInt64();
        if (size > (ulong)state.Length / sizeof(ulong))
        {
            throw new Tls.KtFormatException($"An auditor state of {state.Length} bytes cannot hold {size} timestamps.");
        }

        for (ulong i = 0; i < size; i++)
        {
            ulong timestamp = reader.ReadUInt64();
            if (i > 0 && timestamp < auditor._timestamps[^1])
            {
                throw new Tls.KtFormatException($"The auditor state's timestamp {i} goes back.");
            }

            auditor._timestamps.Add(timestamp);
        }

        auditor._prefixRoot = Hash32.From(reader.ReadFixed(Hash32.Size));
        int subtrees = reader.ReadUInt8();
        if (subtrees != LogRange.FullSubtrees(size).Length)
        {
            throw new Tls.KtFormatException($"A log of {size} entries has {LogRange.FullSubtrees(size).Length} full subtrees, not {subtrees}.");
        }

        var full = new Hash32[subtrees];
        for (int i = 0; i < subtrees; i++)
        {
            full[i] = Hash32.From(reader.ReadFixed(Hash32.Size));
        }

        auditor._fullSubtrees = full;
        ulong leaves = reader.ReadUInt64();
        for (ulong i = 0; i < leaves; i++)
        {
            Hash32 leaf = Hash32.From(reader.ReadFixed(Hash32.Size));
            ulong position = reader.ReadUInt64();
            if (position >= size || !auditor._addedAt.TryAdd(leaf, position))
            {
                throw new Tls.KtFormatException($"The auditor state lists leaf {leaf} at position {position} of {size}, or twice.");
            }
        }

        reader.EnsureEnd();
        return auditor;
    }

    /// <summary>Verifies the next entry's update (KT §15.2 steps 1–7) and, only if all passed, moves to it.</summary>
    /// <returns>The new log root.</returns>
    /// <exception cref="KtVerificationException">A check failed; the auditor's state is unchanged.</exception>
    public Hash32 Process(AuditorUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        ulong position = TreeSize;

        // Step 1.
        if (position > 0 && update.Timestamp < _timestamps[^1])
        {
            throw Fail(VerificationFailure.TimestampsNotMonotonic, $"entry {position} has timestamp {update.Timestamp}, below {_timestamps[^1]}");
        }

        // Step 2.
        CheckAscending(update.Added, "added");
        CheckAscending(update.Removed, "removed");
        var removedKeys = update.Removed.ToDictionary(l => l.VrfOutput, l => l.Commitment);

        // Steps 3, 4 and 6: the proof's results, then the previous root from it.
        Hash32[] keys = [.. update.Added.Select(l => l.VrfOutput), .. update.Removed.Select(l => l.VrfOutput)];
        if (update.Proof.Results.Count != keys.Length)
        {
            throw Fail(VerificationFailure.InconsistentInput, $"the proof has {update.Proof.Results.Count} results for {keys.Length} keys");
        }

        var inclusions = new Dictionary<int, Hash32>();
        for (int i = 0; i < keys.Length; i++)
        {
            bool mustBeIncluded = i >= update.Added.Count || removedKeys.ContainsKey(keys[i]);
            bool included = update.Proof.Results[i].ResultType == PrefixSearchResultType.Inclusion;
            if (included != mustBeIncluded)
            {
                throw Fail(
                    VerificationFailure.InconsistentInput,
                    mustBeIncluded ? $"removed key {keys[i]} is not in the previous tree" : $"added key {keys[i]} is already in the previous tree");
            }

            if (included)
            {
                inclusions[i] = removedKeys[keys[i]];
            }
        }

        Hash32 previousRoot = PrefixProofVerifier.ComputeRoot(keys, update.Proof, inclusions, _suite.TreeHashes);
        if (previousRoot != _prefixRoot)
        {
            throw new KtVerificationException(
                VerificationFailure.RootMismatch, $"the proof gives a previous prefix root other than entry {position - 1}'s", _prefixRoot, previousRoot);
        }

        // Step 5: a removed leaf must have been in a distinguished entry, counting the new one, before this one.
        if (update.Removed.Count > 0)
        {
            CheckRemovalsWerePublished(update, position);
        }

        // Step 7.
        PartialPrefixTree tree = PartialPrefixTree.FromProof(keys, update.Proof, inclusions, _suite.TreeHashes);
        foreach (PrefixLeaf removed in update.Removed)
        {
            tree.Remove(removed.VrfOutput);
        }

        foreach (PrefixLeaf added in update.Added)
        {
            tree.Add(added);
        }

        Hash32 prefixRoot = tree.Root();
        Span<byte> leaf = stackalloc byte[Hash32.Size];
        _suite.TreeHashes.LogLeaf(update.Timestamp, prefixRoot.Span, leaf);
        IReadOnlyList<Hash32> fullSubtrees = LogTreeProof.FullSubtreesAfterAppend(_fullSubtrees, position, Hash32.From(leaf), _suite.TreeHashes);

        // Every check passed: only now does the state move.
        _timestamps.Add(update.Timestamp);
        _fullSubtrees = fullSubtrees;
        _prefixRoot = prefixRoot;
        foreach (PrefixLeaf removed in update.Removed)
        {
            _addedAt.Remove(removed.VrfOutput);
        }

        foreach (PrefixLeaf added in update.Added)
        {
            _addedAt[added.VrfOutput] = position;
        }

        return Root;
    }

    /// <summary>Step 8: a signed head for everything verified so far.</summary>
    public AuditorTreeHead Sign()
    {
        ulong timestamp = _timestamps.Count > 0 ? _timestamps[^1] : throw new InvalidOperationException("No entry has been verified yet.");
        return new AuditorTreeHead(timestamp, TreeSize, _sign(AuditorTreeHead.ToBeSigned(Configuration, timestamp, TreeSize, Root)));
    }

    private void CheckRemovalsWerePublished(AuditorUpdate update, ulong position)
    {
        foreach (PrefixLeaf removed in update.Removed)
        {
            ulong added = _addedAt.TryGetValue(removed.VrfOutput, out ulong at)
                ? at
                : throw Fail(VerificationFailure.InconsistentInput, $"removed key {removed.VrfOutput} was never added");
            if (!AnyDistinguishedBetween(added, position - 1, position + 1, update.Timestamp))
            {
                throw Fail(VerificationFailure.InconsistentInput, $"key {removed.VrfOutput}, added at entry {added}, is removed before any distinguished entry held it");
            }
        }
    }

    /// <summary>
    /// KT §6.1 in the tree of <paramref name="size"/> entries (the last one's timestamp given apart, not yet
    /// stored): is any entry in [<paramref name="from"/>, <paramref name="to"/>] distinguished? The walk enters
    /// only subtrees that overlap the range, so it costs the depth plus the distinguished entries found.
    /// </summary>
    private bool AnyDistinguishedBetween(ulong from, ulong to, ulong size, ulong lastTimestamp)
    {
        ulong TimestampOf(ulong entry) => entry == size - 1 ? lastTimestamp : _timestamps[(int)entry];

        if (from > to)
        {
            return false;
        }

        var pending = new Stack<(ulong Node, ulong Left, ulong Right, ulong Low, ulong High)>();
        pending.Push((ImplicitTree.Root(size), 0, lastTimestamp, 0, size - 1));
        while (pending.Count > 0)
        {
            (ulong node, ulong left, ulong right, ulong low, ulong high) = pending.Pop();
            if (high < from || low > to || right < left || right - left < Configuration.ReasonableMonitoringWindow)
            {
                continue; // outside the range, or not distinguished (nor anything below it)
            }

            if (node >= from && node <= to)
            {
                return true;
            }

            ulong timestamp = TimestampOf(node);
            if (ImplicitTree.HasLeft(node))
            {
                pending.Push((ImplicitTree.Left(node), left, timestamp, low, node - 1));
            }

            if (ImplicitTree.HasRight(node, size))
            {
                pending.Push((ImplicitTree.Right(node, size), timestamp, right, node + 1, high));
            }
        }

        return false;
    }

    private static void CheckAscending(IReadOnlyList<PrefixLeaf> leaves, string field)
    {
        for (int i = 1; i < leaves.Count; i++)
        {
            if (leaves[i - 1].VrfOutput.Span.SequenceCompareTo(leaves[i].VrfOutput.Span) >= 0)
            {
                throw Fail(VerificationFailure.InconsistentInput, $"{field} is not strictly ascending by VRF output at element {i}");
            }
        }
    }

    private static KtVerificationException Fail(VerificationFailure failure, string detail) => new(failure, detail);
}
