using OpenCkv.Crypto;
using OpenCkv.Crypto.Signatures;
using OpenCkv.Crypto.Vrf;
using OpenCkv.KeyTransparency.Logs.Storage;
using OpenCkv.KeyTransparency.Trees;

namespace OpenCkv.KeyTransparency.Logs;

/// <summary>
/// The log operator's side of KEYTRANS: label-version updates are staged and then sequenced into one log entry per
/// step (an empty step is a heartbeat entry), each entry keeping its own immutable prefix-tree version; every
/// entry's tree head is signed after it is appended. Everything sequenced lives in an <see cref="ILogStore"/>; the
/// log itself holds only caches and the staged updates. The configuration is fixed at creation.
/// Single writer: <see cref="Stage"/> and <see cref="Sequence"/> are serialized with each other; responses are built
/// concurrently with them — also while an entry is being stored — each for the tree size current when it started.
/// </summary>
public sealed partial class TransparencyLog
{
    private readonly CryptoSuite _suite;
    private readonly VrfKeyPair _vrfKey;
    private readonly ILogStore _store;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<byte[], LabelHistory> _labels = new(LabelComparer.Instance);
    private readonly List<(LabelHistory History, uint Version, UpdateValue Value)> _pending = [];
    private readonly Dictionary<LabelHistory, uint> _pendingPerLabel = [];
    /// <summary>Guards the served state (size, head, last timestamp, auditor head); held only briefly.</summary>
    private readonly Lock _gate = new();

    /// <summary>Serializes the writer's work (staging, sequencing, refreshing) without holding up readers.</summary>
    private readonly Lock _writeGate = new();
    private readonly Lock _updateGate = new();
    private ulong _size;
    private TreeHead? _head;
    private ulong _lastTimestamp;

    /// <summary>Where openings come from: fresh randomness, except in the known-answer generator.</summary>
    private Func<byte[], uint, byte[]> _openings = static (_, _) => Crypto.Hashing.CommitmentScheme.NewOpening();

    /// <summary>How tree heads are signed: the BCL's ECDSA, except in the known-answer generator.</summary>
    private Func<ulong, byte[], byte[]> _sign;

    /// <summary>Who hears that a signed head was committed (the high-water mark).</summary>
    private readonly ITreeHeadSigner _signer;

    private TransparencyLog(
        CryptoSuite suite,
        Configuration configuration,
        ITreeHeadSigner signer,
        VrfKeyPair vrfKey,
        ILogStore store)
    {
        _store = store;
        _suite = suite;
        Configuration = configuration;
        _vrfKey = vrfKey;
        _sign = signer.Sign;
        _signer = signer;
    }

    /// <summary>
    /// Makes openings and signatures reproducible, for the project's known-answer files only: openings from
    /// <paramref name="openings"/> (label, version) and signatures from <paramref name="sign"/> (for example
    /// RFC 6979 deterministic ECDSA). Must be called before the first entry.
    /// </summary>
    internal void UseDeterministicSources(Func<byte[], uint, byte[]> openings, Func<byte[], byte[]> sign)
    {
        if (_size > 0)
        {
            throw new InvalidOperationException("Sources are fixed before the first entry.");
        }

        _openings = openings;
        _sign = (_, message) => sign(message);
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
                return _size;
            }
        }
    }

    /// <summary>The timestamp of the newest entry (zero while the log is empty).</summary>
    public ulong LastTimestamp
    {
        get
        {
            lock (_gate)
            {
                return _lastTimestamp;
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
                return _head ?? throw new InvalidOperationException("The log has no entries yet.");
            }
        }
    }

    /// <summary>
    /// Creates a log whose configuration names these keys, over an empty store: contact monitoring, or third-party
    /// auditing (then responses wait for the auditor's first signed head, <see cref="AcceptAuditorHead"/>).
    /// Third-party management is not offered.
    /// </summary>
    /// <exception cref="ArgumentException">The configuration does not name these keys or is inconsistent, or the
    /// store is not empty.</exception>
    /// <param name="suite">The crypto implementation.</param>
    /// <param name="configuration">The log's fixed configuration.</param>
    /// <param name="signingKey">The tree-head signing key the configuration names.</param>
    /// <param name="vrfKey">The VRF key the configuration names.</param>
    /// <param name="store">Where the log lives; in memory when omitted.</param>
    public static TransparencyLog Create(
        CryptoSuite suite,
        Configuration configuration,
        EcdsaP256PrivateKey signingKey,
        VrfKeyPair vrfKey,
        ILogStore? store = null) =>
        Create(suite, configuration, new KeyTreeHeadSigner(signingKey ?? throw new ArgumentNullException(nameof(signingKey))), vrfKey, store);

    /// <summary>As the overload with a key, signing through <paramref name="signer"/> (for example one that keeps a
    /// high-water mark).</summary>
    public static TransparencyLog Create(
        CryptoSuite suite,
        Configuration configuration,
        ITreeHeadSigner signer,
        VrfKeyPair vrfKey,
        ILogStore? store = null)
    {
        ArgumentNullException.ThrowIfNull(suite);
        store ??= new InMemoryLogStore(suite.TreeHashes);
        if (store.Size > 0 || store.LogTree.Size > 0)
        {
            throw new ArgumentException("A new log starts from an empty store; reopen a used one with Open.", nameof(store));
        }

        return Open(suite, configuration, signer, vrfKey, store);
    }

    /// <summary>
    /// Reopens a log over a store it wrote before (or an empty one). The store is trusted to hold what this log
    /// committed, but not blindly: its latest head must verify under the configuration against the root its log
    /// tree gives, and its latest entry must be the leaf that tree ends with.
    /// </summary>
    /// <exception cref="ArgumentException">As <see cref="Create(CryptoSuite, Configuration, ITreeHeadSigner, VrfKeyPair, ILogStore?)"/>, or the store does not hold a log signed with this
    /// configuration.</exception>
    public static TransparencyLog Open(
        CryptoSuite suite,
        Configuration configuration,
        EcdsaP256PrivateKey signingKey,
        VrfKeyPair vrfKey,
        ILogStore store) =>
        Open(suite, configuration, new KeyTreeHeadSigner(signingKey ?? throw new ArgumentNullException(nameof(signingKey))), vrfKey, store);

    /// <summary>As the overload with a key, signing through <paramref name="signer"/>.</summary>
    public static TransparencyLog Open(
        CryptoSuite suite,
        Configuration configuration,
        ITreeHeadSigner signer,
        VrfKeyPair vrfKey,
        ILogStore store)
    {
        ArgumentNullException.ThrowIfNull(suite);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(signer);
        ArgumentNullException.ThrowIfNull(vrfKey);
        ArgumentNullException.ThrowIfNull(store);
        configuration.Validated();
        if (!configuration.SignaturePublicKey.AsSpan().SequenceEqual(signer.PublicKey) ||
            !configuration.VrfPublicKey.AsSpan().SequenceEqual(vrfKey.PublicKey))
        {
            throw new ArgumentException("The configuration must name the log's own signing and VRF public keys.", nameof(configuration));
        }

        if (configuration.Mode == DeploymentMode.ThirdPartyManagement)
        {
            // Third-party management (KT §15.1) splits the operator in two; this operator runs the other two modes.
            throw new ArgumentException($"This operator does not run {configuration.Mode} logs.", nameof(configuration));
        }

        var log = new TransparencyLog(suite, configuration, signer, vrfKey, store);
        store.Refresh();
        ulong signed = store.SignedSize;
        if (signed > 0)
        {
            (log._head, log._lastTimestamp) = log.VerifiedHead(signed);
            log._size = signed;
        }

        return log;
    }

    /// <summary>
    /// The store's head of <paramref name="size"/> entries and that entry's timestamp, after checking that the head
    /// verifies under the configuration against the root the store's log tree gives, and that the tree's leaf is the
    /// stored entry's (KT §3.1, §11.2).
    /// </summary>
    /// <exception cref="ArgumentException">The store does not hold a log this configuration signed.</exception>
    private (TreeHead Head, ulong Timestamp) VerifiedHead(ulong size)
    {
        TreeHead head = _store.Head(size);
        StoredEntry last = _store.Entry(size - 1);
        Span<byte> leaf = stackalloc byte[Hash32.Size];
        _suite.TreeHashes.LogLeaf(last.Timestamp, last.Tree.Root.Span, leaf);
        if (!EcdsaP256PublicKey.TryGetShared(Configuration.SignaturePublicKey, out EcdsaP256PublicKey? key) ||
            _store.LogTree.Size < size || head.TreeSize != size ||
            !_store.LogTree.ReadBalanced([new LogRange(size - 1, 1)])[0].Span.SequenceEqual(leaf) ||
            !key.Verify(TreeHead.ToBeSigned(Configuration, size, LogTreeProof.Root(_store.LogTree, size, _suite.TreeHashes)), head.Signature))
        {
            throw new ArgumentException($"The store's log of {size} entries is not one this configuration signed.");
        }

        return (head, last.Timestamp);
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

        lock (_writeGate)
        {
            return StageLocked(label, value);
        }
    }

    /// <summary>Stages one value; the caller holds the write gate.</summary>
    /// <exception cref="InvalidOperationException">An audited entry is full (255 new versions): sequence first.</exception>
    private uint StageLocked(byte[] label, byte[] value)
    {
        // An AuditorUpdate's proof has at most 255 results (KT §12.2, §15.2): refusing here, before anything is
        // staged, keeps the log able to sequence what it holds.
        if (Configuration.Mode == DeploymentMode.ThirdPartyAuditing && _pending.Count >= PrefixProof.MaxResults)
        {
            throw new InvalidOperationException($"An audited entry holds at most {PrefixProof.MaxResults} new versions: sequence first.");
        }

        LabelHistory history = HistoryOf(label, create: true)!;
        uint version = NextStagedVersion(history);
        _pending.Add((history, version, new UpdateValue(value, null)));
        return version;
    }

    /// <summary>
    /// Stages a version whose VRF output the caller supplies instead of the log computing it. Only for building
    /// large benchmark fixtures quickly, whose background labels need no real VRF outputs (their proofs are never
    /// served); a log that serves clients never uses it.
    /// </summary>
    internal uint StageWithOutput(byte[] label, byte[] value, Hash32 vrfOutput)
    {
        lock (_writeGate)
        {
            uint version = StageLocked(label, value);
            HistoryOf(label, create: false)!.Output(version, _ => vrfOutput); // before Sequence evaluates it
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
        // The whole step runs under the write gate; the served state changes under the gate at the end only, so
        // responses keep being built while the entry is stored.
        lock (_writeGate)
        {
            if (_size > 0 && timestampMs < _lastTimestamp)
            {
                throw new ArgumentException("Log entry timestamps never decrease.", nameof(timestampMs));
            }

            ulong position = _size;
            var leaves = new List<PrefixLeaf>(_pending.Count);
            var published = new List<PublishedLabelVersion>(_pending.Count);
            foreach ((LabelHistory history, uint version, UpdateValue value) in _pending)
            {
                PublishedVersion record = NewVersion(history, version, position, value);
                leaves.Add(new PrefixLeaf(record.VrfOutput, record.Commitment));
                published.Add(new PublishedLabelVersion(history.Label, record));
            }

            PrefixVersion previous = position > 0 ? _store.Entry(position - 1).Tree : _store.PrefixVersions.Empty;
            PrefixInsertion insertion = _store.PrefixVersions.Prepare(previous, leaves);
            PrefixVersion tree = insertion.Version;
            Span<byte> leaf = stackalloc byte[Hash32.Size];
            _suite.TreeHashes.LogLeaf(timestampMs, tree.Root.Span, leaf);
            Hash32 logLeaf = Hash32.From(leaf);
            ulong size = position + 1;
            Hash32 root = LogTreeProof.RootAfterAppend(_store.LogTree, size - 1, logLeaf, _suite.TreeHashes);
            _store.Commit(new SequencedStep(position, new StoredEntry(timestampMs, tree), logLeaf, published) { NewPages = insertion.NewPages, ReplacedPages = insertion.ReplacedPages });

            // Signed only once committed (DESIGN §7): the signature then covers an entry no other writer can replace,
            // and should anything fail from here on, the next writer signs these same bytes (CompleteHead). Nothing
            // is served until the head is stored.
            var head = new TreeHead(size, _sign(size, TreeHead.ToBeSigned(Configuration, size, root)));
            _store.StoreHead(head);
            foreach (PublishedLabelVersion version in published)
            {
                _labels[version.Label].Append(version.Version);
            }

            _pending.Clear();
            _pendingPerLabel.Clear();
            lock (_gate)
            {
                _size = size;
                _head = head;
                _lastTimestamp = timestampMs;
            }

            // After the in-memory state follows the store: if telling the signer fails, the entry is still committed.
            try
            {
                _signer.Committed(size);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                throw new CommitNoticeException(position, e);
            }

            return position;
        }
    }

    /// <summary>
    /// The newest sequenced version of <paramref name="label"/> and its value, or null when the label has none. For
    /// the operator's own bookkeeping (what a directory checks a new record against); clients learn values only
    /// through verified responses.
    /// </summary>
    public (uint Version, byte[] Value)? Latest(byte[] label)
    {
        ArgumentNullException.ThrowIfNull(label);
        ulong size = Size;
        if (label.Length > VrfInput.MaxLabelLength || HistoryOf(label, create: false) is not { } history)
        {
            return null;
        }

        PublishedVersion[] versions = history.VersionsIn(size);
        return versions.Length == 0 ? null : (versions[^1].Version, versions[^1].Value.Value);
    }

    /// <summary>
    /// Computes now, on the caller's thread, the search key (KT §4: the VRF output) that <paramref name="version"/> of
    /// <paramref name="label"/> will be published with, so the writer finds it cached instead of computing it inside
    /// the entry it is building. The output depends on the label and version only; computing one that is never
    /// published costs time and changes nothing.
    /// </summary>
    public void PrepareVersion(byte[] label, uint version)
    {
        ArgumentNullException.ThrowIfNull(label);
        if (label.Length <= VrfInput.MaxLabelLength && HistoryOf(label, create: true) is { } history)
        {
            history.Output(version, v => EvaluateVrf(history.Label, v));
        }
    }

    /// <summary>The version the next staged value of this label gets, counting values staged but not yet sequenced.</summary>
    private uint NextStagedVersion(LabelHistory history)
    {
        uint staged = _pendingPerLabel.GetValueOrDefault(history);
        _pendingPerLabel[history] = staged + 1;
        return checked((uint)history.Count + staged);
    }

    private PublishedVersion NewVersion(LabelHistory history, uint version, ulong position, UpdateValue value)
    {
        Hash32 output = history.Output(version, v => EvaluateVrf(history.Label, v));
        byte[] opening = _openings(history.Label, version);
        var commitment = new byte[Hash32.Size];
        _suite.Commitments.Compute(opening, history.Label, version, value.Value, value.EncodedSuffix(Configuration.Mode), commitment);
        return new PublishedVersion(version, position, output, Hash32.From(commitment), opening, value);
    }

    private Hash32 EvaluateVrf(byte[] label, uint version)
    {
        var output = new byte[EcVrfP256.OutputSize];
        _suite.Vrf.Evaluate(_vrfKey, Tls.TlsCodec.Encode(new VrfInput(label, version)), output);
        return Hash32.From(output);
    }

    private byte[] ProveVrf(byte[] label, uint version) =>
        _suite.Vrf.Prove(_vrfKey, Tls.TlsCodec.Encode(new VrfInput(label, version)));

    /// <summary>
    /// The cached history of a label, loaded from the store on first use; no lock is needed. A history loaded while
    /// an entry is being stored may already hold that entry's versions: readers take versions below their size
    /// only, and the writer appends only to the history it staged with, which is the cached one.
    /// </summary>
    private LabelHistory? HistoryOf(byte[] label, bool create)
    {
        if (_labels.TryGetValue(label, out LabelHistory? cached))
        {
            return cached;
        }

        IReadOnlyList<PublishedVersion> committed = _store.Versions(label);
        if (committed.Count == 0 && !create)
        {
            return null;
        }

        byte[] key = label.ToArray();
        return _labels.GetOrAdd(key, _ => new LabelHistory(key, committed));
    }
}
