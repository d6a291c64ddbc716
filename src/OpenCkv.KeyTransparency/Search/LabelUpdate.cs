using OpenCkv.KeyTransparency.Trees;
using OpenCkv.KeyTransparency.Verification;

namespace OpenCkv.KeyTransparency.Search;

/// <summary>
/// KT §9, the update algorithm: a greatest-version search of the previous tree (the log before the entry that added
/// the new versions), then a check of how the new versions went into that entry. Run identically by the log
/// (recording) and the owner (consuming).
/// </summary>
internal static class LabelUpdate
{
    private static readonly IReadOnlySet<uint> None = new HashSet<uint>();

    /// <summary>
    /// Runs the algorithm for new versions <paramref name="added"/> (ascending, consecutive) inserted at
    /// <paramref name="position"/>, and returns whether that entry is distinguished in the current tree (then the
    /// owner algorithm covers it from now on; otherwise the owner monitors it as a contact would).
    /// </summary>
    /// <exception cref="KtVerificationException">A ladder or lookup contradicts the claimed versions.</exception>
    public static bool Run(
        CombinedProofSession session, ulong treeSize, ulong position, uint? previous, IReadOnlyList<uint> added, ulong window)
    {
        if (position >= treeSize)
        {
            throw new KtVerificationException(VerificationFailure.InconsistentInput, $"entry {position} is beyond the tree of {treeSize} entries");
        }

        HashSet<uint> leftInclusions = position > 0 ? SearchPreviousTree(session, treeSize, position, previous, window) : [];
        uint greatest = added[^1];
        bool distinguished = DistinguishedEntries.OnPathTo(session, position, treeSize, window).Contains(position);

        // Step 4's checks, whether or not the entry is distinguished. Step 3 leaves the versions a ladder would look
        // up in a distinguished entry to the owner algorithm, so a value shown to the owner (someone else's, when
        // its greatest version was stale) would be accepted unchecked until then; checking them here costs one
        // prefix proof and shows the owner nothing unverified (docs/protocol-notes.md).
        session.Timestamp(position); // binds the proofs below into the log tree
        LadderResult ladder = session.SearchLadder(position, greatest, leftInclusions, None);
        if (!ladder.EqualsTarget)
        {
            throw new KtVerificationException(VerificationFailure.VersionMismatch, $"the ladder at entry {position} contradicts new greatest version {greatest}");
        }

        uint[] rest = added.Except(ladder.Outcomes.Keys).Order().ToArray();
        if (rest.Length > 0)
        {
            session.InclusionLookups(position, rest);
        }

        return distinguished;
    }

    /// <summary>
    /// Steps 1–2: down the previous tree's frontier from its first entry that is not distinguished in the current
    /// tree, a search ladder for the previous greatest version at each entry, omitting inclusions already proven to
    /// the left as a greatest-version search does. No entry may show a version above the previous greatest, the
    /// previous tree's last entry must show exactly it, and with no previous version every entry must show the
    /// label absent. Returns the versions the ladders proved present, which step 4 may omit.
    /// </summary>
    /// <remarks>
    /// Step 2.1 skips entries up to the owner's start or the previous version's entry. Neither side knows both: the
    /// request does not carry the start, and an owner that took over an existing label does not know where its
    /// greatest version went in. Both sides therefore inspect every entry from the first non-distinguished one,
    /// checking there that nothing above the previous greatest version existed — what step 2.3 protects — which
    /// inspects more entries, never fewer (docs/protocol-notes.md).
    /// </remarks>
    private static HashSet<uint> SearchPreviousTree(CombinedProofSession session, ulong treeSize, ulong position, uint? previous, ulong window)
    {
        var leftInclusions = new HashSet<uint>();
        ulong[] frontier = ImplicitTree.Frontier(position);
        HashSet<ulong> distinguished = DistinguishedEntries.OnPathTo(session, position - 1, treeSize, window);
        int first = Array.FindIndex(frontier, e => !(distinguished.Contains(e) || DistinguishedEntries.OnPathTo(session, e, treeSize, window).Contains(e)));
        if (first < 0)
        {
            return leftInclusions;
        }

        uint target = previous ?? 0;
        for (int i = first; i < frontier.Length; i++)
        {
            ulong entry = frontier[i];
            session.Timestamp(entry);
            LadderResult ladder = session.SearchLadder(entry, target, leftInclusions, None);
            bool last = i == frontier.Length - 1;
            bool consistent = previous is null
                ? ladder.LessThanTarget
                : !ladder.GreaterThanTarget && (!last || ladder.EqualsTarget);
            if (!consistent)
            {
                throw new KtVerificationException(
                    VerificationFailure.VersionMismatch,
                    previous is null
                        ? $"the ladder at entry {entry} shows the label before its first version"
                        : $"the ladder at entry {entry} contradicts previous greatest version {target}");
            }

            leftInclusions.UnionWith(ladder.Outcomes.Where(o => o.Value).Select(o => o.Key));
        }

        return leftInclusions;
    }
}

/// <summary>KT §9: which versions an update response carries VRF proofs for.</summary>
internal static class LabelUpdateProofs
{
    /// <summary>
    /// The search ladder of the new greatest version, plus each new version when there are several, less what the
    /// owner already knows: the ladder of the previous greatest version, or version 0 when there was none.
    /// Ascending.
    /// </summary>
    public static uint[] Versions(uint? previous, IReadOnlyList<uint> added)
    {
        uint greatest = added[^1];
        IEnumerable<uint> wanted = BinaryLadder.Search(greatest, greatest);
        if (added.Count > 1)
        {
            wanted = wanted.Concat(added);
        }

        IEnumerable<uint> known = previous is { } p ? BinaryLadder.Search(p, p) : [0u];
        return [.. wanted.Except(known).Distinct().Order()];
    }
}
