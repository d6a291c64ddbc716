using OpenCkv.KeyTransparency.Trees;
using OpenCkv.KeyTransparency.Verification;

namespace OpenCkv.KeyTransparency.Search;

/// <summary>
/// KT §8.3, the first owner algorithm: the starting entry and its ancestors to its left (until one is expired),
/// each with a search ladder, without omissions, proving the label's greatest version there. Run identically by
/// the log (recording) and the owner (consuming).
/// </summary>
internal static class OwnerInitialization
{
    private static readonly IReadOnlySet<uint> None = new HashSet<uint>();

    /// <summary>
    /// Step 1: the entries to inspect. Asks for the timestamps of the path from the root to the start (KT §12.3),
    /// which also show the start distinguished (§6.1) and unexpired (§7.1), as §13.3 requires.
    /// </summary>
    /// <exception cref="KtVerificationException">The start is not distinguished, or is expired.</exception>
    public static List<ulong> Entries(CombinedProofSession session, ulong treeSize, ulong start, Configuration configuration)
    {
        if (start >= treeSize)
        {
            throw new KtVerificationException(VerificationFailure.InconsistentInput, $"start {start} is beyond the tree of {treeSize} entries");
        }

        HashSet<ulong> distinguished = DistinguishedEntries.OnPathTo(session, start, treeSize, configuration.ReasonableMonitoringWindow);
        if (!distinguished.Contains(start))
        {
            throw new KtVerificationException(VerificationFailure.InconsistentInput, $"start {start} is not a distinguished entry");
        }

        ulong rightmost = session.Timestamp(treeSize - 1);
        var entries = new List<ulong>();
        foreach (ulong position in ImplicitTree.DirectPath(start, treeSize).Where(p => p < start).Prepend(start))
        {
            if (FixedVersionSearch.IsExpired(session.Timestamp(position), rightmost, configuration.MaximumLifetime))
            {
                break;
            }

            entries.Add(position);
        }

        return entries.Count > 0
            ? entries
            : throw new KtVerificationException(VerificationFailure.InconsistentInput, $"start {start} is expired");
    }

    /// <summary>
    /// Step 2's check: one greatest version per entry at most, never increasing to the left.
    /// </summary>
    public static void CheckGreatestVersions(IReadOnlyList<uint> greatest, int entries)
    {
        if (greatest.Count > entries)
        {
            throw new KtVerificationException(VerificationFailure.InconsistentInput, $"{greatest.Count} greatest versions for {entries} entries");
        }

        for (int i = 1; i < greatest.Count; i++)
        {
            if (greatest[i] > greatest[i - 1])
            {
                throw new KtVerificationException(VerificationFailure.VersionMismatch, $"greatest versions increase to the left: {greatest[i - 1]}, then {greatest[i]}");
            }
        }
    }

    /// <summary>
    /// The versions the ladders of step 5 prove present: those a full ladder for greatest version g looks up at or
    /// below g. Commitments are sent for exactly these (docs/protocol-notes.md): a commitment to any other version
    /// could not be checked by this response.
    /// </summary>
    public static HashSet<uint> ProvenVersions(IReadOnlyList<uint> greatest) =>
        [.. greatest.SelectMany(g => BinaryLadder.Search(g, g).Where(v => v <= g))];

    /// <summary>Step 3: version 0 and every version of a search ladder for any of the greatest versions, ascending.</summary>
    public static uint[] LadderVersions(IReadOnlyList<uint> greatest) =>
        [.. greatest.SelectMany(g => BinaryLadder.Search(g, g)).Append(0u).Distinct().Order()];

    /// <summary>
    /// Step 5: a full search ladder at each entry, for its greatest version, or for version 0 where the label did
    /// not exist (which the ladder must then show absent).
    /// </summary>
    /// <exception cref="KtVerificationException">A ladder contradicts the claimed greatest version.</exception>
    public static void Ladders(CombinedProofSession session, IReadOnlyList<ulong> entries, IReadOnlyList<uint> greatest)
    {
        for (int i = 0; i < entries.Count; i++)
        {
            bool exists = i < greatest.Count;
            LadderResult ladder = session.SearchLadder(entries[i], exists ? greatest[i] : 0, None, None);
            if (exists ? !ladder.EqualsTarget : !ladder.LessThanTarget)
            {
                throw new KtVerificationException(
                    VerificationFailure.VersionMismatch,
                    exists
                        ? $"the ladder at entry {entries[i]} contradicts greatest version {greatest[i]}"
                        : $"the ladder at entry {entries[i]} shows the label, which the greatest versions say did not exist there");
            }
        }
    }
}
