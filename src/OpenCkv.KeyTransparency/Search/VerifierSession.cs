using OpenCkv.Crypto;
using OpenCkv.Crypto.Signatures;
using OpenCkv.KeyTransparency.Trees;
using OpenCkv.KeyTransparency.Verification;

namespace OpenCkv.KeyTransparency.Search;

/// <summary>
/// The verifier's half of a <see cref="CombinedProofSession"/>: timestamps and prefix proofs are consumed from the
/// response in the order the algorithms ask for them (KT §12.3); <see cref="Finish(Configuration, ulong, FullTreeHead, ClientState?)"/> then checks that nothing is
/// left over, that timestamps are monotonic, recomputes the log root and checks the tree head.
/// </summary>
internal sealed class VerifierSession(
    CryptoSuite suite,
    ClientState? state,
    CombinedTreeProof proof,
    IReadOnlyDictionary<uint, Hash32> vrfOutputs,
    IReadOnlyDictionary<uint, Hash32> commitments) : CombinedProofSession
{
    private int _timestampsUsed;
    private int _proofsUsed;

    /// <summary>True while the response has prefix proofs left: the owner algorithm's only stop condition (KT §8.3).</summary>
    public bool ProofsRemaining => _proofsUsed < proof.PrefixProofs.Count;

    protected override bool IsRetained(ulong position, out ulong timestamp)
    {
        FrontierEntry? entry = state?.Frontier.FirstOrDefault(e => e.Position == position);
        timestamp = entry?.Timestamp ?? 0;
        return entry is not null;
    }

    protected override ulong NextTimestamp(ulong position)
    {
        if (_timestampsUsed >= proof.Timestamps.Count)
        {
            throw new KtVerificationException(VerificationFailure.ProofTooShort, $"no timestamp left for entry {position}");
        }

        return proof.Timestamps[_timestampsUsed++];
    }

    protected override (LadderResult Ladder, Hash32 PrefixRoot) NextLadder(
        ulong position, uint target, IReadOnlySet<uint> leftInclusions, IReadOnlySet<uint> rightNonInclusions)
    {
        PrefixProof prefixProof = NextProof(position);
        int next = 0;
        LadderResult ladder = LadderWalker.Walk(
            target,
            version =>
            {
                if (next >= prefixProof.Results.Count)
                {
                    throw new KtVerificationException(VerificationFailure.ProofTooShort, $"the prefix proof for entry {position} has too few results");
                }

                return prefixProof.Results[next++].ResultType == PrefixSearchResultType.Inclusion;
            },
            leftInclusions,
            rightNonInclusions);
        if (next != prefixProof.Results.Count)
        {
            throw new KtVerificationException(VerificationFailure.ProofTooLong, $"the prefix proof for entry {position} has too many results");
        }

        return (ladder, Evaluate(position, prefixProof, ladder.LookedUp));
    }

    protected override Hash32 NextInclusionLookups(ulong position, IReadOnlyList<uint> versions)
    {
        PrefixProof prefixProof = NextProof(position);
        if (prefixProof.Results.Count != versions.Count)
        {
            throw new KtVerificationException(
                VerificationFailure.InconsistentInput,
                $"the lookups at entry {position} have {prefixProof.Results.Count} results, {versions.Count} expected");
        }

        for (int i = 0; i < versions.Count; i++)
        {
            if (prefixProof.Results[i].ResultType != PrefixSearchResultType.Inclusion)
            {
                throw new KtVerificationException(
                    VerificationFailure.MonitoredVersionMissing, $"version {versions[i]} is absent at entry {position}, where it must be included");
            }
        }

        return Evaluate(position, prefixProof, versions);
    }

    protected override (bool Present, Hash32 PrefixRoot) NextLookup(ulong position, uint version)
    {
        PrefixProof prefixProof = NextProof(position);
        if (prefixProof.Results.Count != 1)
        {
            throw new KtVerificationException(VerificationFailure.InconsistentInput, $"a single lookup at entry {position} has {prefixProof.Results.Count} results");
        }

        Hash32 root = Evaluate(position, prefixProof, [version]);
        return (prefixProof.Results[0].ResultType == PrefixSearchResultType.Inclusion, root);
    }

    private PrefixProof NextProof(ulong position) =>
        _proofsUsed < proof.PrefixProofs.Count
            ? proof.PrefixProofs[_proofsUsed++]
            : throw new KtVerificationException(VerificationFailure.ProofTooShort, $"no prefix proof left for entry {position}");

    /// <summary>The prefix root a proof of these versions' lookups leads to, checked against a retained root.</summary>
    private Hash32 Evaluate(ulong position, PrefixProof prefixProof, IReadOnlyList<uint> versions)
    {
        var keys = new Hash32[versions.Count];
        var included = new Dictionary<int, Hash32>();
        for (int i = 0; i < keys.Length; i++)
        {
            uint version = versions[i];
            keys[i] = vrfOutputs.TryGetValue(version, out Hash32 key)
                ? key
                : throw new KtVerificationException(VerificationFailure.InconsistentInput, $"no VRF output was given for version {version}");
            if (prefixProof.Results[i].ResultType == PrefixSearchResultType.Inclusion)
            {
                included[i] = commitments.TryGetValue(version, out Hash32 commitment)
                    ? commitment
                    : throw new KtVerificationException(VerificationFailure.VersionMismatch, $"version {version} is included at entry {position} but has no commitment");
            }
        }

        Hash32 root = PrefixProofVerifier.ComputeRoot(keys, prefixProof, included, suite.TreeHashes);
        if (state?.Frontier.FirstOrDefault(e => e.Position == position) is { } retained && retained.PrefixRoot != root)
        {
            throw new KtVerificationException(
                VerificationFailure.RetainedValueMismatch, $"the prefix root of retained entry {position} changed", retained.PrefixRoot, root);
        }

        return root;
    }

    /// <summary>Completes verification and builds the new state; returns it with the rightmost timestamp.</summary>
    public (ClientState State, ulong RightmostTimestamp) Finish(Configuration configuration, ulong size, FullTreeHead head, ClientState? previous) =>
        Finish(configuration, size, head, previous, []);

    /// <summary>
    /// As <see cref="Finish(Configuration, ulong, FullTreeHead, ClientState?)"/>, also computing the log roots at
    /// those of <paramref name="rootsAt"/> whose last entry was given a timestamp in this response (an entry the
    /// client retained is not a leaf of the proof) into <see cref="RootsAt"/>.
    /// </summary>
    public (ClientState State, ulong RightmostTimestamp) Finish(
        Configuration configuration, ulong size, FullTreeHead head, ClientState? previous, IReadOnlyList<ulong> rootsAt)
    {
        if (_timestampsUsed != proof.Timestamps.Count || _proofsUsed != proof.PrefixProofs.Count)
        {
            throw new KtVerificationException(VerificationFailure.ProofTooLong, "the combined proof has unused timestamps or prefix proofs");
        }

        CheckMonotonic();

        // Every prefix root a ladder produced must reach the log root: through a provided timestamp (its leaf) or
        // a retained frontier entry (checked in Evaluate). A root bound to neither would be unverified.
        foreach (ulong position in LadderRoots.Keys)
        {
            if (!ProvidedTimestamps.ContainsKey(position) && !IsRetained(position, out _))
            {
                throw new KtVerificationException(
                    VerificationFailure.InconsistentInput, $"the prefix proof for entry {position} is not bound to the log tree by a timestamp");
            }
        }

        // Leaf values of every entry given a timestamp: its prefix root from a ladder, else from prefix_roots in order.
        ulong[] provided = ProvidedTimestamps.Keys.Order().ToArray();
        var leaves = new Dictionary<ulong, Hash32>();
        var prefixRoots = new Dictionary<ulong, Hash32>(LadderRoots);
        int rootsUsed = 0;
        Span<byte> leaf = stackalloc byte[Hash32.Size];
        foreach (ulong position in provided)
        {
            if (!prefixRoots.TryGetValue(position, out Hash32 root))
            {
                if (rootsUsed >= proof.PrefixRoots.Count)
                {
                    throw new KtVerificationException(VerificationFailure.ProofTooShort, $"no prefix root left for entry {position}");
                }

                root = proof.PrefixRoots[rootsUsed++];
                prefixRoots[position] = root;
            }

            suite.TreeHashes.LogLeaf(ProvidedTimestamps[position], root.Span, leaf);
            leaves[position] = Hash32.From(leaf);
        }

        if (rootsUsed != proof.PrefixRoots.Count)
        {
            throw new KtVerificationException(VerificationFailure.ProofTooLong, "the combined proof has unused prefix roots");
        }

        // KT §11.4: an updated head in a third-party-auditing log carries the auditor's head, whose root at its own
        // size the same proof gives (§12.3); a 'same' head keeps the auditor head retained with the tree head.
        AuditorTreeHead? auditor = configuration.Mode != DeploymentMode.ThirdPartyAuditing ? null
            : head.HeadType == FullTreeHeadType.Updated ? head.AuditorTreeHead : previous?.AuditorHead;
        if (configuration.Mode == DeploymentMode.ThirdPartyAuditing && head.HeadType == FullTreeHeadType.Updated && auditor is null)
        {
            throw new KtVerificationException(VerificationFailure.InconsistentInput, "an updated head of an audited log carries no auditor head");
        }

        ulong? auditorSize = head.HeadType == FullTreeHeadType.Updated ? auditor?.TreeSize : null;
        if (auditorSize is { } audited && (audited == 0 || audited > size))
        {
            throw new KtVerificationException(VerificationFailure.InconsistentInput, $"the auditor's tree size {audited} is not in [1, {size}]");
        }

        (Hash32 rootValue, IReadOnlyList<Hash32> fullSubtrees, Hash32? auditorRoot) = LogRoot(size, leaves, previous, rootsAt, auditorSize);
        Root = rootValue;
        TreeHead signedHead = head.HeadType == FullTreeHeadType.Same ? previous!.Head : head.TreeHead!;
        if (head.HeadType == FullTreeHeadType.Updated)
        {
            EcdsaP256PublicKey key = EcdsaP256PublicKey.TryGetShared(configuration.SignaturePublicKey, out EcdsaP256PublicKey? parsed)
                ? parsed!
                : throw new KtVerificationException(VerificationFailure.SignatureInvalid, "the pinned signature key is not a P-256 point");
            if (!key.Verify(TreeHead.ToBeSigned(configuration, size, rootValue), signedHead.Signature))
            {
                throw new KtVerificationException(VerificationFailure.SignatureInvalid, $"the tree head for size {size} is not signed over the computed root");
            }
        }

        var frontier = ImplicitTree.Frontier(size)
            .Select(p => new FrontierEntry(p, Timestamp(p), PrefixRootOf(p, prefixRoots, previous)))
            .ToArray();
        if (head.HeadType == FullTreeHeadType.Updated && auditor is not null)
        {
            CheckAuditorHead(configuration, auditor, auditorRoot!.Value, frontier[^1].Timestamp, previous);
        }

        return (new ClientState(signedHead, fullSubtrees, frontier) { AuditorHead = auditor }, frontier[^1].Timestamp);
    }

    /// <summary>KT §11.3 steps 1, 2 and 4 (step 3, the size, is checked before the proof is evaluated).</summary>
    private static void CheckAuditorHead(Configuration configuration, AuditorTreeHead auditor, Hash32 auditorRoot, ulong rightmost, ClientState? previous)
    {
        if (previous?.AuditorHead is { } earlier && earlier.TreeSize < configuration.AuditorStartPosition)
        {
            throw new KtVerificationException(
                VerificationFailure.InconsistentInput,
                $"the previous auditor head covers {earlier.TreeSize} entries, before this auditor's start {configuration.AuditorStartPosition}");
        }

        if (rightmost < auditor.Timestamp || rightmost - auditor.Timestamp > configuration.MaxAuditorLag)
        {
            throw new KtVerificationException(
                VerificationFailure.AuditorHeadNotFresh,
                $"the auditor's timestamp {auditor.Timestamp} is not within {configuration.MaxAuditorLag} ms before the rightmost entry's {rightmost}");
        }

        if (!EcdsaP256PublicKey.TryGetShared(configuration.AuditorPublicKey, out EcdsaP256PublicKey? key) ||
            !key.Verify(AuditorTreeHead.ToBeSigned(configuration, auditor.Timestamp, auditor.TreeSize, auditorRoot), auditor.Signature))
        {
            throw new KtVerificationException(VerificationFailure.SignatureInvalid, $"the auditor's head for size {auditor.TreeSize} is not signed over the computed root");
        }
    }

    /// <summary>The log root the last <c>Finish</c> computed and checked against the signed head.</summary>
    public Hash32 Root { get; private set; }

    /// <summary>The log roots at the sizes the last <see cref="Finish(Configuration, ulong, FullTreeHead, ClientState?, IReadOnlyList{ulong})"/> asked for.</summary>
    public IReadOnlyDictionary<ulong, Hash32> RootsAt { get; private set; } = new Dictionary<ulong, Hash32>();

    private (Hash32 Root, IReadOnlyList<Hash32> FullSubtrees, Hash32? AuditorRoot) LogRoot(
        ulong size, Dictionary<ulong, Hash32> leaves, ClientState? previous, IReadOnlyList<ulong> rootsAt, ulong? auditorSize)
    {
        // An unchanged tree ('same') goes through the same walk: entries given a timestamp lie inside retained
        // subtrees, whose recomputed heads must match what was retained.
        var shape = new LogProofShape(size, leaves.Keys, previous?.TreeSize ?? 0, auditorSize);
        LogTreeEvaluation evaluation = LogTreeProof.Evaluate(
            shape, leaves, previous?.FullSubtrees ?? [], proof.Inclusion.Elements, suite.TreeHashes, rootsAt.Where(s => leaves.ContainsKey(s - 1)).ToArray());
        RootsAt = evaluation.RootsAt;
        return (evaluation.Root, evaluation.FullSubtrees, evaluation.AuditorRoot);
    }

    private static Hash32 PrefixRootOf(ulong position, Dictionary<ulong, Hash32> prefixRoots, ClientState? previous) =>
        prefixRoots.TryGetValue(position, out Hash32 root)
            ? root
            : previous!.Frontier.First(e => e.Position == position).PrefixRoot;

    /// <summary>KT §12.3: every timestamp, provided or retained, is at least every timestamp to its left.</summary>
    private void CheckMonotonic()
    {
        var all = new SortedDictionary<ulong, ulong>();
        foreach (KeyValuePair<ulong, ulong> entry in ProvidedTimestamps)
        {
            all[entry.Key] = entry.Value;
        }

        foreach (FrontierEntry entry in state?.Frontier ?? [])
        {
            all[entry.Position] = entry.Timestamp;
        }

        ulong previous = 0;
        foreach ((ulong position, ulong timestamp) in all)
        {
            if (timestamp < previous)
            {
                throw new KtVerificationException(
                    VerificationFailure.TimestampsNotMonotonic, $"entry {position} has timestamp {timestamp}, below {previous} to its left");
            }

            previous = timestamp;
        }
    }
}
