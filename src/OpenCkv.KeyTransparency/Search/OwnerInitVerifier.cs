using OpenCkv.Crypto;
using OpenCkv.Crypto.Vrf;
using OpenCkv.KeyTransparency.Tls;
using OpenCkv.KeyTransparency.Verification;

namespace OpenCkv.KeyTransparency.Search;

/// <summary>
/// What a label owner keeps (KT §8.3, §9, §13.4): the rightmost distinguished entry it verified (<see cref="Start"/>),
/// the greatest version it knows of and the entry that added it (null while that is the version it took over,
/// which went in at or before the start), the monitoring map of versions not yet covered by a distinguished entry,
/// and the VRF outputs and commitments that verified responses gave.
/// </summary>
public sealed record OwnerState(
    byte[] Label,
    ulong Start,
    uint? GreatestVersion,
    IReadOnlyList<MonitorMapEntry> Map,
    IReadOnlyDictionary<uint, Hash32> VrfOutputs,
    IReadOnlyDictionary<uint, Hash32> Commitments)
{
    /// <summary>The entry that added <see cref="GreatestVersion"/>, when an update showed it.</summary>
    public ulong? GreatestPosition { get; init; }

    /// <summary>The greatest version that existed at <see cref="Start"/> (null: none).</summary>
    public uint? StartVersion { get; init; }

    /// <summary>Entries right of <see cref="Start"/> that added versions, each with the greatest version after it, ascending.</summary>
    public IReadOnlyList<MonitorMapEntry> Insertions { get; init; } = [];

    /// <summary>The greatest version this owner expects at entry <paramref name="position"/>, at or right of the start.</summary>
    public uint? ExpectedAt(ulong position) => Insertions.LastOrDefault(i => i.Position <= position)?.Version ?? StartVersion;
}

/// <summary>The result of a verified owner initialization: the owner's state and the new client state.</summary>
public sealed record VerifiedOwnerInit(OwnerState Owner, ClientState State);

/// <summary>
/// The owner's check of an <see cref="OwnerInitResponse"/> (KT §13.3 steps 1–5). Nothing given is changed; the
/// new states are returned only when every check passed.
/// </summary>
public static class OwnerInitVerifier
{
    /// <summary>Verifies the response to <paramref name="request"/>, sent from <paramref name="state"/>.</summary>
    /// <exception cref="KtVerificationException">Any check failed; the exception names which and carries the values.</exception>
    public static VerifiedOwnerInit Verify(
        CryptoSuite suite, Configuration configuration, ClientState? state, OwnerInitRequest request, OwnerInitResponse response, ulong nowMs)
    {
        ArgumentNullException.ThrowIfNull(suite);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(response);
        VerifierPreconditions.Check(configuration, state, request.Last, nameof(request));

        // The entries come from timestamps alone: their count bounds the greatest versions before any of the
        // ladder's VRF proofs is verified, so a long list cannot buy thousands of verifications.
        IReadOnlyList<uint> greatest = response.GreatestVersions;
        ulong size = SearchVerifier.TreeSizeOf(state, response.FullTreeHead);
        var outputs = new Dictionary<uint, Hash32>();
        var commitments = new Dictionary<uint, Hash32>();
        var session = new VerifierSession(suite, state, response.Init, outputs, commitments);
        UpdateView.Run(session, size, state?.TreeSize);
        List<ulong> entries = OwnerInitialization.Entries(session, size, request.Start, configuration);
        OwnerInitialization.CheckGreatestVersions(greatest, entries.Count);
        VerifyLadder(suite, configuration, request.Label, greatest, response.BinaryLadder, outputs, commitments);
        OwnerInitialization.Ladders(session, entries, greatest);
        (ClientState newState, ulong rightmost) = session.Finish(configuration, size, response.FullTreeHead, state);
        SearchVerifier.CheckFreshness(configuration, rightmost, nowMs);

        var owner = new OwnerState(request.Label.ToArray(), request.Start, greatest.Count > 0 ? greatest[0] : null, [], outputs, commitments)
        {
            StartVersion = greatest.Count > 0 ? greatest[0] : null,
        };
        return new VerifiedOwnerInit(owner, newState);
    }

    /// <summary>
    /// Step 2: one VRF proof per expected version, each verified; a commitment exactly for the versions the
    /// response's ladders prove present (<see cref="OwnerInitialization.ProvenVersions"/>), which includes every
    /// greatest version.
    /// </summary>
    private static void VerifyLadder(
        CryptoSuite suite, Configuration configuration, byte[] label, IReadOnlyList<uint> greatest, IReadOnlyList<BinaryLadderStep> steps,
        Dictionary<uint, Hash32> outputs, Dictionary<uint, Hash32> commitments)
    {
        uint[] versions = OwnerInitialization.LadderVersions(greatest);
        if (steps.Count != versions.Length)
        {
            throw SearchVerifier.Fail(VerificationFailure.InconsistentInput, $"the binary ladder has {steps.Count} steps, {versions.Length} expected");
        }

        HashSet<uint> proven = OwnerInitialization.ProvenVersions(greatest);
        var output = new byte[EcVrfP256.OutputSize];
        for (int i = 0; i < versions.Length; i++)
        {
            uint version = versions[i];
            bool present = proven.Contains(version);
            if (steps[i].Commitment.HasValue != present)
            {
                throw SearchVerifier.Fail(VerificationFailure.InconsistentInput, $"ladder step for version {version} has a commitment where it must not, or lacks one");
            }

            if (!suite.Vrf.TryVerify(configuration.VrfPublicKey, TlsCodec.Encode(new VrfInput(label, version)), steps[i].Proof, output))
            {
                throw SearchVerifier.Fail(VerificationFailure.VrfProofInvalid, $"the VRF proof for version {version} does not verify");
            }

            outputs[version] = Hash32.From(output);
            if (steps[i].Commitment is { } commitment)
            {
                commitments[version] = commitment;
            }
        }
    }
}
