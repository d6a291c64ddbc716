using OpenCkv.Crypto;
using OpenCkv.Crypto.Vrf;
using OpenCkv.KeyTransparency.Tls;
using OpenCkv.KeyTransparency.Verification;

namespace OpenCkv.KeyTransparency.Search;

/// <summary>
/// A verified update: the owner's new state, the new client state, and the values of versions the owner did not
/// create (non-empty when its greatest version was stale: someone else's versions, which an SDK must surface).
/// </summary>
public sealed record VerifiedUpdate(OwnerState Owner, ClientState State, IReadOnlyList<LabelValue> OthersValues);

/// <summary>
/// The owner's check of <see cref="UpdateResponse"/>s (KT §13.5 steps 1–7, the algorithm of §9). Nothing given is
/// changed; the new states are returned only when every response of the chain verified.
/// </summary>
public static class UpdateVerifier
{
    /// <summary>
    /// Verifies the responses to one request in order, each as the answer to the request the previous one implies
    /// (KT §13.5): <c>last</c> at the previous tree size, the greatest version advanced past the versions shown,
    /// the values kept until a response shows them created.
    /// </summary>
    /// <exception cref="KtVerificationException">Any check failed; the exception names which and carries the values.</exception>
    public static VerifiedUpdate VerifyAll(
        CryptoSuite suite, Configuration configuration, ClientState? state, OwnerState owner, UpdateRequest request, IReadOnlyList<UpdateResponse> responses, ulong nowMs)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(responses);
        if (responses.Count == 0)
        {
            throw SearchVerifier.Fail(VerificationFailure.ProofTooShort, "an update request was answered with no response");
        }

        var others = new List<LabelValue>();
        VerifiedUpdate? result = null;
        foreach (UpdateResponse response in responses)
        {
            result = Verify(suite, configuration, state, owner, request, response, nowMs);
            others.AddRange(result.OthersValues);
            (state, owner) = (result.State, result.Owner);
            request = request with
            {
                Last = state.TreeSize,
                GreatestVersion = owner.GreatestVersion,
                Values = response.Values.Count == 0 ? [] : request.Values,
            };
        }

        return result! with { OthersValues = others };
    }

    /// <summary>Verifies one response to <paramref name="request"/>, which <paramref name="owner"/> sent from <paramref name="state"/>.</summary>
    /// <exception cref="KtVerificationException">Any check failed; the exception names which and carries the values.</exception>
    public static VerifiedUpdate Verify(
        CryptoSuite suite, Configuration configuration, ClientState? state, OwnerState owner, UpdateRequest request, UpdateResponse response, ulong nowMs)
    {
        ArgumentNullException.ThrowIfNull(suite);
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(response);
        VerifierPreconditions.Check(configuration, state, request.Last, nameof(request));
        if (request.GreatestVersion != owner.GreatestVersion || !request.Label.AsSpan().SequenceEqual(owner.Label))
        {
            throw new ArgumentException("The request must name the owner's label and greatest version.", nameof(request));
        }

        // Step 1: the new versions went in right of the previous greatest version (or of the start).
        ulong after = owner.GreatestPosition ?? owner.Start;
        if (response.Position <= after)
        {
            throw SearchVerifier.Fail(VerificationFailure.InconsistentInput, $"new versions at entry {response.Position}, not right of entry {after}");
        }

        // Step 2: one opening per new value, and at least one.
        IReadOnlyList<LabelValue> values = response.Values.Count > 0 ? response.Values : request.Values;
        if (response.Info.Count != values.Count || response.Info.Count == 0)
        {
            throw SearchVerifier.Fail(VerificationFailure.InconsistentInput, $"{response.Info.Count} openings for {values.Count} new values");
        }

        ulong first = owner.GreatestVersion is { } g ? (ulong)g + 1 : 0;
        if (first + (ulong)values.Count - 1 > uint.MaxValue)
        {
            throw SearchVerifier.Fail(VerificationFailure.InconsistentInput, "the new versions would go past 2^32 - 1");
        }

        uint[] added = Enumerable.Range(0, values.Count).Select(i => (uint)(first + (ulong)i)).ToArray();
        var outputs = new Dictionary<uint, Hash32>(owner.VrfOutputs);
        var commitments = new Dictionary<uint, Hash32>(owner.Commitments);
        VerifyLadder(suite, configuration, owner, added, response.BinaryLadder, outputs, commitments);
        var computed = new byte[Hash32.Size];
        for (int i = 0; i < added.Length; i++)
        {
            suite.Commitments.Compute(response.Info[i].Opening, owner.Label, added[i], values[i].Value, [], computed);
            commitments[added[i]] = Hash32.From(computed);
        }

        // Step 5, then steps 6 and 7.
        ulong size = SearchVerifier.TreeSizeOf(state, response.FullTreeHead);
        var session = new VerifierSession(suite, state, response.Update, outputs, commitments);
        UpdateView.Run(session, size, state?.TreeSize);
        bool distinguished = LabelUpdate.Run(session, size, response.Position, owner.GreatestVersion, added, configuration.ReasonableMonitoringWindow);
        (ClientState newState, ulong rightmost) = session.Finish(configuration, size, response.FullTreeHead, state);
        SearchVerifier.CheckFreshness(configuration, rightmost, nowMs);

        // KT §9 step 4: a new version in a non-distinguished entry is monitored as a contact would, until a
        // distinguished entry covers it; one in a distinguished entry is left to the owner algorithm.
        IReadOnlyList<MonitorMapEntry> map = distinguished
            ? owner.Map
            : [.. owner.Map, new MonitorMapEntry(response.Position, added[^1])];
        var next = owner with
        {
            GreatestVersion = added[^1],
            Map = map,
            VrfOutputs = outputs,
            Commitments = commitments,
            GreatestPosition = response.Position,
            Insertions = [.. owner.Insertions, new MonitorMapEntry(response.Position, added[^1])],
        };
        return new VerifiedUpdate(next, newState, response.Values);
    }

    /// <summary>
    /// Step 4: one VRF proof per version KT §9 lists, each verified; commitments exactly for those below the
    /// advertised greatest version, and equal to any the owner already holds.
    /// </summary>
    private static void VerifyLadder(
        CryptoSuite suite, Configuration configuration, OwnerState owner, uint[] added, IReadOnlyList<BinaryLadderStep> steps,
        Dictionary<uint, Hash32> outputs, Dictionary<uint, Hash32> commitments)
    {
        uint[] versions = LabelUpdateProofs.Versions(owner.GreatestVersion, added);
        if (steps.Count != versions.Length)
        {
            throw SearchVerifier.Fail(VerificationFailure.InconsistentInput, $"the binary ladder has {steps.Count} steps, {versions.Length} expected");
        }

        var output = new byte[EcVrfP256.OutputSize];
        for (int i = 0; i < versions.Length; i++)
        {
            uint version = versions[i];
            bool below = owner.GreatestVersion is { } g && version < g;
            if (steps[i].Commitment.HasValue != below)
            {
                throw SearchVerifier.Fail(VerificationFailure.InconsistentInput, $"ladder step for version {version} has a commitment where it must not, or lacks one");
            }

            if (!suite.Vrf.TryVerify(configuration.VrfPublicKey, TlsCodec.Encode(new VrfInput(owner.Label, version)), steps[i].Proof, output))
            {
                throw SearchVerifier.Fail(VerificationFailure.VrfProofInvalid, $"the VRF proof for version {version} does not verify");
            }

            outputs[version] = Hash32.From(output);
            if (steps[i].Commitment is { } commitment)
            {
                if (commitments.TryGetValue(version, out Hash32 known) && known != commitment)
                {
                    throw SearchVerifier.Fail(VerificationFailure.InconsistentInput, $"the commitment to version {version} differs from the one the owner holds");
                }

                commitments[version] = commitment;
            }
        }
    }
}
