using OpenCkv.Crypto;
using OpenCkv.Crypto.Signatures;
using OpenCkv.Crypto.Vrf;
using OpenCkv.KeyTransparency.Trees;

namespace OpenCkv.KeyTransparency.Logs;

/// <summary>
/// The log operator's side of KEYTRANS, in memory: label-version updates are staged and then sequenced into one
/// log entry per step (an empty step is a heartbeat entry), each entry keeping its own immutable prefix-tree
/// version; every entry's tree head is signed after it is appended. The configuration is fixed at creation.
/// Single writer: <see cref="Stage"/> and <see cref="Sequence"/> must not run concurrently with each other;
/// responses may be built concurrently with them for tree sizes already sequenced.
/// </summary>
public sealed partial class TransparencyLog
{
    private readonly CryptoSuite _suite;
    private readonly VrfKeyPair _vrfKey;
    private readonly ILogTreeTable _logTree;
    private readonly IPrefixVersions _prefixVersions;
    private readonly List<(ulong Timestamp, PrefixVersion Tree)> _entries = [];
    private readonly Dictionary<string, LabelHistory> _labels = [];
    private readonly List<(LabelHistory History, uint Version, UpdateValue Value)> _pending = [];
    private readonly Dictionary<LabelHistory, uint> _pendingPerLabel = [];
    private readonly List<TreeHead> _heads = [];
    private readonly Lock _gate = new();

    /// <summary>Where openings come from: fresh randomness, except in the known-answer generator.</summary>
    private Func<byte[], uint, byte[]> _openings = static (_, _) => Crypto.Hashing.CommitmentScheme.NewOpening();

    /// <summary>How tree heads are signed: the BCL's ECDSA, except in the known-answer generator.</summary>
    private Func<byte[], byte[]> _sign;

    private TransparencyLog(
        CryptoSuite suite,
        Configuration configuration,
        EcdsaP256PrivateKey signingKey,
        VrfKeyPair vrfKey,
        IPrefixVersions prefixVersions,
        ILogTreeTable logTree)
    {
        _prefixVersions = prefixVersions;
        _logTree = logTree;
        _suite = suite;
        Configuration = configuration;
        _vrfKey = vrfKey;
        _sign = message => signingKey.Sign(message);
    }

    /// <summary>
    /// Makes openings and signatures reproducible, for the project's known-answer files only: openings from
    /// <paramref name="openings"/> (label, version) and signatures from <paramref name="sign"/> (for example
    /// RFC 6979 deterministic ECDSA). Must be called before the first entry.
    /// </summary>
    internal void UseDeterministicSources(Func<byte[], uint, byte[]> openings, Func<byte[], byte[]> sign)
    {
        if (_entries.Count > 0)
        {
            throw new InvalidOperationException("Sources are fixed before the first entry.");
        }

        _openings = openings;
        _sign = sign;
    }

    /// <summary>The log's fixed configuration.</summary>
    public Configuration Configuration { get; }

    /// <summary>The number of entries.</summary>
    public ulong Size
    {
        get
        {
            lock (_gate)
            {
                return (ulong)_entries.Count;
            }
        }
    }

    /// <summary>The signed head of the current tree.</summary>
    public TreeHead Head
    {
        get
        {
            lock (_gate)
            {
                return _heads.Count > 0 ? _heads[^1] : throw new InvalidOperationException("The log has no entries yet.");
            }
        }
    }

    /// <summary>
    /// Creates a contact-monitoring log whose configuration names these keys. The configuration type carries the
    /// other two modes; this operator does not run them yet.
    /// </summary>
    /// <exception cref="ArgumentException">The configuration does not name these keys, or is inconsistent.</exception>
    /// <param name="suite">The crypto implementation.</param>
    /// <param name="configuration">The log's fixed configuration.</param>
    /// <param name="signingKey">The tree-head signing key the configuration names.</param>
    /// <param name="vrfKey">The VRF key the configuration names.</param>
    /// <param name="prefixVersions">Where the prefix-tree versions live; objects in memory when omitted.</param>
    /// <param name="logTree">Where the log tree's balanced heads live, empty; in memory when omitted.</param>
    public static TransparencyLog Create(
        CryptoSuite suite,
        Configuration configuration,
        EcdsaP256PrivateKey signingKey,
        VrfKeyPair vrfKey,
        IPrefixVersions? prefixVersions = null,
        ILogTreeTable? logTree = null)
    {
        ArgumentNullException.ThrowIfNull(suite);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(signingKey);
        ArgumentNullException.ThrowIfNull(vrfKey);
        configuration.Validated();
        if (!configuration.SignaturePublicKey.AsSpan().SequenceEqual(signingKey.PublicKey.Encoded) ||
            !configuration.VrfPublicKey.AsSpan().SequenceEqual(vrfKey.PublicKey))
        {
            throw new ArgumentException("The configuration must name the log's own signing and VRF public keys.", nameof(configuration));
        }

        if (configuration.Mode != DeploymentMode.ContactMonitoring)
        {
            // Third-party auditing needs the auditor's signed heads in every response (KT §11.4), which arrive with
            // the auditing work; third-party management is not offered.
            throw new ArgumentException($"This operator does not run {configuration.Mode} logs yet.", nameof(configuration));
        }

        if (logTree is { Size: > 0 })
        {
            throw new ArgumentException("A new log starts from an empty log tree.", nameof(logTree));
        }

        return new TransparencyLog(
            suite,
            configuration,
            signingKey,
            vrfKey,
            prefixVersions ?? new InMemoryPrefixVersions(suite.TreeHashes),
            logTree ?? new InMemoryLogTree(suite.TreeHashes));
    }

    /// <summary>Stages the next version of <paramref name="label"/>; it is published by the next <see cref="Sequence"/>.</summary>
    /// <returns>The version the value will have.</returns>
    public uint Stage(byte[] label, byte[] value)
    {
        ArgumentNullException.ThrowIfNull(label);
        ArgumentNullException.ThrowIfNull(value);
        if (label.Length > VrfInput.MaxLabelLength)
        {
            throw new ArgumentException("A label is at most 255 bytes.", nameof(label));
        }

        lock (_gate)
        {
            LabelHistory history = HistoryOf(label, create: true)!;
            uint version = NextStagedVersion(history);
            _pending.Add((history, version, new UpdateValue(value, null)));
            return version;
        }
    }

    /// <summary>
    /// Stages a version whose VRF output the caller supplies instead of the log computing it. Only for building
    /// large benchmark fixtures quickly, whose background labels need no real VRF outputs (their proofs are never
    /// served); a log that serves clients never uses it.
    /// </summary>
    internal uint StageWithOutput(byte[] label, byte[] value, Hash32 vrfOutput)
    {
        lock (_gate)
        {
            LabelHistory history = HistoryOf(label, create: true)!;
            uint version = NextStagedVersion(history);
            history.Output(version, _ => vrfOutput);
            _pending.Add((history, version, new UpdateValue(value, null)));
            return version;
        }
    }

    /// <summary>
    /// Appends one log entry holding every staged version (none: a heartbeat entry) with the given timestamp,
    /// then signs the new tree head.
    /// </summary>
    /// <exception cref="ArgumentException">The timestamp is below the previous entry's: log timestamps never decrease.</exception>
    public ulong Sequence(ulong timestampMs)
    {
        lock (_gate)
        {
            if (_entries.Count > 0 && timestampMs < _entries[^1].Timestamp)
            {
                throw new ArgumentException("Log entry timestamps never decrease.", nameof(timestampMs));
            }

            var position = (ulong)_entries.Count;
            var leaves = new List<PrefixLeaf>(_pending.Count);
            var published = new List<(LabelHistory, LabelVersion)>(_pending.Count);
            foreach ((LabelHistory history, uint version, UpdateValue value) in _pending)
            {
                LabelVersion record = NewVersion(history, version, position, value);
                leaves.Add(new PrefixLeaf(record.VrfOutput, record.Commitment));
                published.Add((history, record));
            }

            PrefixVersion previous = _entries.Count > 0 ? _entries[^1].Tree : _prefixVersions.Empty;
            PrefixVersion tree = _prefixVersions.Insert(previous, leaves);
            Span<byte> leaf = stackalloc byte[Hash32.Size];
            _suite.TreeHashes.LogLeaf(timestampMs, tree.Root.Span, leaf);

            // Nothing is visible until every step above succeeded.
            foreach ((LabelHistory history, LabelVersion record) in published)
            {
                history.Versions.Add(record);
            }

            _pending.Clear();
            _pendingPerLabel.Clear();
            _entries.Add((timestampMs, tree));
            _logTree.Append(Hash32.From(leaf));
            ulong size = position + 1;
            byte[] signature = _sign(TreeHead.ToBeSigned(Configuration, size, LogTreeProof.Root(_logTree, size, _suite.TreeHashes)));
            _heads.Add(new TreeHead(size, signature));
            return position;
        }
    }

    /// <summary>The version the next staged value of this label gets, counting values staged but not yet sequenced.</summary>
    private uint NextStagedVersion(LabelHistory history)
    {
        uint staged = _pendingPerLabel.GetValueOrDefault(history);
        _pendingPerLabel[history] = staged + 1;
        return checked((uint)history.Versions.Count + staged);
    }

    private LabelVersion NewVersion(LabelHistory history, uint version, ulong position, UpdateValue value)
    {
        Hash32 output = history.Output(version, v => EvaluateVrf(history.Label, v));
        byte[] opening = _openings(history.Label, version);
        var commitment = new byte[Hash32.Size];
        _suite.Commitments.Compute(opening, history.Label, version, value.Value, value.EncodedSuffix(Configuration.Mode), commitment);
        return new LabelVersion(version, position, output, Hash32.From(commitment), opening, value);
    }

    private Hash32 EvaluateVrf(byte[] label, uint version)
    {
        var output = new byte[EcVrfP256.OutputSize];
        _suite.Vrf.Evaluate(_vrfKey, Tls.TlsCodec.Encode(new VrfInput(label, version)), output);
        return Hash32.From(output);
    }

    private byte[] ProveVrf(byte[] label, uint version) =>
        _suite.Vrf.Prove(_vrfKey, Tls.TlsCodec.Encode(new VrfInput(label, version)));

    private LabelHistory? HistoryOf(byte[] label, bool create)
    {
        string key = Convert.ToHexString(label);
        if (!_labels.TryGetValue(key, out LabelHistory? history) && create)
        {
            history = new LabelHistory(label);
            _labels[key] = history;
        }

        return history;
    }
}
