using OpenCkv.Crypto;
using OpenCkv.Crypto.Signatures;
using OpenCkv.Crypto.Vrf;
using OpenCkv.KeyTransparency.Tls;
using OpenCkv.KeyTransparency.Trees;
using OpenCkv.KeyTransparency.Verification;

namespace OpenCkv.KeyTransparency.Search;

/// <summary>
/// The client's check of a greatest-version <see cref="SearchResponse"/> (KT §13.1): VRF proofs, the combined
/// proof (view update, then the search down the frontier), the log-tree root, the tree head's signature and its
/// freshness. Returns the new client state only when every check passed; the given state is never changed.
/// </summary>
public static class SearchVerifier
{
    /// <summary>Verifies a response to a greatest-version request (<c>request.Version</c> absent).</summary>
    /// <param name="suite">The crypto implementation.</param>
    /// <param name="configuration">The log's configuration as the client pinned it.</param>
    /// <param name="state">What the client retained from its last verified response, or null for a first contact.</param>
    /// <param name="request">The request as sent (its <c>last</c> must be the state's tree size).</param>
    /// <param name="response">The response as decoded.</param>
    /// <param name="nowMs">The client's clock, milliseconds since the Unix epoch.</param>
    /// <exception cref="KtVerificationException">Any check failed; the exception names which and carries the values.</exception>
    public static VerifiedSearch VerifyGreatestVersion(
        CryptoSuite suite, Configuration configuration, ClientState? state, SearchRequest request, SearchResponse response, ulong nowMs)
    {
        ArgumentNullException.ThrowIfNull(suite);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(response);
        if (request.Version is not null)
        {
            throw new ArgumentException("A greatest-version search names no version.", nameof(request));
        }

        return Verify(suite, configuration, state, request, response, nowMs);
    }

    /// <summary>
    /// Verifies a response to a search request of either kind: greatest version (§6.3) when
    /// <c>request.Version</c> is absent, fixed version (§7.2) otherwise.
    /// </summary>
    /// <exception cref="KtVerificationException">Any check failed; the exception names which and carries the values.</exception>
    public static VerifiedSearch Verify(
        CryptoSuite suite, Configuration configuration, ClientState? state, SearchRequest request, SearchResponse response, ulong nowMs)
    {
        ArgumentNullException.ThrowIfNull(suite);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(response);
        VerifierPreconditions.Check(configuration, state, request.Last, nameof(request));

        bool fixedVersion = request.Version is not null;
        if (fixedVersion == response.Version.HasValue)
        {
            throw Fail(VerificationFailure.InconsistentInput, "the response's version field does not match the kind of request");
        }

        uint target = request.Version ?? response.Version!.Value;
        Dictionary<uint, Hash32> outputs = VerifyLadderProofs(suite, configuration, request.Label, target, response);
        return VerifyWithVrfOutputs(suite, configuration, state, request, response, nowMs, outputs);
    }

    /// <summary>
    /// Everything after the VRF proofs were verified into <paramref name="outputs"/>: commitments, the combined
    /// proof, the log root, the signature and freshness. Separate so its cost can be measured on its own.
    /// </summary>
    internal static VerifiedSearch VerifyWithVrfOutputs(
        CryptoSuite suite, Configuration configuration, ClientState? state, SearchRequest request, SearchResponse response, ulong nowMs,
        Dictionary<uint, Hash32> outputs)
    {
        bool fixedVersion = request.Version is not null;
        uint target = request.Version ?? response.Version!.Value;
        Dictionary<uint, Hash32> commitments = LadderCommitments(suite, configuration, request.Label, target, response, greatestVersion: !fixedVersion);

        ulong size = TreeSizeOf(state, response.FullTreeHead);
        var session = new VerifierSession(suite, state, response.Search, outputs, commitments);
        UpdateView.Run(session, size, state?.TreeSize);
        ulong terminal = fixedVersion
            ? FixedVersionSearch.Run(session, size, target, configuration)
            : GreatestVersionSearch.Run(session, size, target, configuration.ReasonableMonitoringWindow);
        ulong[] frontier = ImplicitTree.Frontier(size);
        int distinguished = GreatestVersionSearch.RightmostDistinguishedIndex(session, frontier, configuration.ReasonableMonitoringWindow);
        (ClientState newState, ulong rightmost) = session.Finish(configuration, size, response.FullTreeHead, state);
        CheckFreshness(configuration, rightmost, nowMs);

        // KT §6.3, §7.2: a terminal entry right of the rightmost distinguished entry obliges the user to monitor.
        bool mustMonitor = configuration.Mode == DeploymentMode.ContactMonitoring &&
            (distinguished < 0 || terminal > frontier[distinguished]);
        var known = outputs.Where(o => commitments.ContainsKey(o.Key)).ToDictionary(o => o.Key, o => new PrefixLeaf(o.Value, commitments[o.Key]));
        return new VerifiedSearch(target, response.Value, terminal, mustMonitor, newState) { KnownLeaves = known };
    }

    internal static ulong TreeSizeOf(ClientState? state, FullTreeHead head)
    {
        if (head.HeadType == FullTreeHeadType.Same)
        {
            return state?.TreeSize ?? throw Fail(VerificationFailure.InconsistentInput, "a 'same' tree head answered a first contact");
        }

        ulong size = (head.TreeHead ?? throw Fail(VerificationFailure.InconsistentInput, "an updated tree head carries no tree head")).TreeSize;
        if (size == 0 || size > ImplicitTree.MaxSize)
        {
            throw Fail(VerificationFailure.InconsistentInput, $"tree size {size} is out of range");
        }

        if (state is not null && size <= state.TreeSize)
        {
            throw Fail(VerificationFailure.TreeSizeRollback, $"tree size {size} is not greater than the advertised {state.TreeSize}");
        }

        return size;
    }

    /// <summary>KT §13.1 steps 2–3: one VRF proof per version of the target's ladder, each verified.</summary>
    internal static Dictionary<uint, Hash32> VerifyLadderProofs(
        CryptoSuite suite, Configuration configuration, byte[] label, uint target, SearchResponse response)
    {
        uint[] versions = BinaryLadder.Search(target, target);
        if (response.BinaryLadder.Count != versions.Length)
        {
            throw Fail(VerificationFailure.InconsistentInput, $"the binary ladder has {response.BinaryLadder.Count} steps, {versions.Length} expected");
        }

        var outputs = new Dictionary<uint, Hash32>();
        var output = new byte[EcVrfP256.OutputSize];
        for (int i = 0; i < versions.Length; i++)
        {
            byte[] alpha = TlsCodec.Encode(new VrfInput(label, versions[i]));
            if (!suite.Vrf.TryVerify(configuration.VrfPublicKey, alpha, response.BinaryLadder[i].Proof, output))
            {
                throw Fail(VerificationFailure.VrfProofInvalid, $"the VRF proof for version {versions[i]} does not verify");
            }

            outputs[versions[i]] = Hash32.From(output);
        }

        return outputs;
    }

    /// <summary>
    /// KT §13.1: no commitment for the target (it is computed from the opening and value). In a greatest-version
    /// search every ladder version below the target exists and carries one, and none above does; in a fixed-version
    /// search versions above the target may exist, and a lookup that includes a version without one fails later.
    /// </summary>
    private static Dictionary<uint, Hash32> LadderCommitments(
        CryptoSuite suite, Configuration configuration, byte[] label, uint target, SearchResponse response, bool greatestVersion)
    {
        uint[] versions = BinaryLadder.Search(target, target);
        var commitments = new Dictionary<uint, Hash32>();
        for (int i = 0; i < versions.Length; i++)
        {
            Hash32? given = response.BinaryLadder[i].Commitment;
            bool wrong = versions[i] == target ? given.HasValue : greatestVersion && (versions[i] < target) != given.HasValue;
            if (wrong)
            {
                throw Fail(VerificationFailure.InconsistentInput, $"ladder step for version {versions[i]} has a commitment where it must not, or lacks one");
            }

            if (given is { } commitment)
            {
                commitments[versions[i]] = commitment;
            }
        }

        var computed = new byte[Hash32.Size];
        suite.Commitments.Compute(response.Opening, label, target, response.Value.Value, response.Value.EncodedSuffix(configuration.Mode), computed);
        commitments[target] = Hash32.From(computed);
        return commitments;
    }

    internal static void CheckFreshness(Configuration configuration, ulong rightmost, ulong nowMs)
    {
        if (nowMs > rightmost && nowMs - rightmost > configuration.MaxBehind)
        {
            throw Fail(
                VerificationFailure.TreeHeadNotFresh,
                $"the rightmost entry's timestamp {rightmost} is {nowMs - rightmost} ms behind the clock's {nowMs}, more than max_behind {configuration.MaxBehind} ms");
        }

        if (rightmost > nowMs && rightmost - nowMs > configuration.MaxAhead)
        {
            throw Fail(
                VerificationFailure.TreeHeadNotFresh,
                $"the rightmost entry's timestamp {rightmost} is {rightmost - nowMs} ms ahead of the clock's {nowMs}, more than max_ahead {configuration.MaxAhead} ms");
        }
    }

    internal static KtVerificationException Fail(VerificationFailure failure, string detail) => new(failure, detail);
}
