using OpenCkv.KeyTransparency.Logs.Storage;
using OpenCkv.KeyTransparency.Search;

namespace OpenCkv.KeyTransparency.Logs;

public sealed partial class TransparencyLog
{
    /// <summary>
    /// Answers an owner-initialization request (KT §13.3): the greatest version at the starting entry and its
    /// unexpired ancestors to its left, the VRF proofs and commitments their ladders need, and the combined proof
    /// of the view update and the first owner algorithm (§8.3).
    /// </summary>
    /// <exception cref="ArgumentException">The start is not an unexpired distinguished entry, or <c>last</c> is not a
    /// size this log had.</exception>
    public OwnerInitResponse OwnerInit(OwnerInitRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Label.Length > VrfInput.MaxLabelLength)
        {
            throw new ArgumentException("A label is at most 255 bytes.", nameof(request));
        }

        (ulong size, SignedView view, LabelHistory? cached) = Begin(request.Label, request.Last, nameof(request));

        // An owner may take over a label that has no version yet; its VRF outputs are then computed per response.
        LabelHistory history = cached ?? new LabelHistory(request.Label.ToArray(), []);
        PublishedVersion[] versions = history.VersionsIn(size);
        var session = new ProverSession(this, history, versions, size, request.Last, AuditedSize(request.Last, size, view));
        UpdateView.Run(session, size, request.Last);
        List<ulong> entries;
        try
        {
            entries = OwnerInitialization.Entries(session, size, request.Start, Configuration);
        }
        catch (Verification.KtVerificationException e)
        {
            throw new ArgumentException($"The owner cannot start at entry {request.Start}: {e.Detail}.", nameof(request), e);
        }

        // Step 2: the greatest version at each entry, ending at the first entry without the label.
        var greatest = new List<uint>();
        foreach (ulong position in entries)
        {
            int present = versions.Count(v => v.Position <= position);
            if (present == 0)
            {
                break;
            }

            greatest.Add((uint)(present - 1));
        }

        OwnerInitialization.Ladders(session, entries, greatest);

        // Steps 3 and 4: commitments for the versions the ladders prove present (docs/protocol-notes.md).
        HashSet<uint> proven = OwnerInitialization.ProvenVersions(greatest);
        BinaryLadderStep[] steps = OwnerInitialization.LadderVersions(greatest)
            .Select(v => new BinaryLadderStep(
                history.Proof(v, version => ProveVrf(history.Label, version)),
                proven.Contains(v) ? versions[v].Commitment : null))
            .ToArray();
        return new OwnerInitResponse(FullHeadFor(request.Last, size, view), greatest, steps, session.Finish(size, request.Last));
    }

    /// <summary>The most distinguished entries one owner-monitoring response covers (KT §8.3 asks for a limit).</summary>
    public const int OwnerLaddersPerResponse = 10;

    /// <summary>
    /// Answers an owner-monitoring request (KT §13.4): checks it as the draft requires, then runs the view update,
    /// the contact algorithm in the owner's context and the second owner algorithm (§8.3), stopping before an entry
    /// where the label has a version the owner does not know of, or after <see cref="OwnerLaddersPerResponse"/>
    /// ladders.
    /// </summary>
    /// <exception cref="ArgumentException">The map is malformed (as for contact monitoring), the start is not in the
    /// tree, or the greatest version is ahead of the label's or behind the version at the start.</exception>
    public HeadAndProofResponse OwnerMonitor(OwnerMonitorRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        (ulong size, SignedView view, LabelHistory? cached) = Begin(request.Label, request.Last, nameof(request));
        LabelHistory history = cached ?? new LabelHistory(request.Label.ToArray(), []);
        PublishedVersion[] versions = history.VersionsIn(size);
        CheckMonitorMap(request.Entries, versions, size);
        if (request.Start >= size)
        {
            throw new ArgumentException($"Start {request.Start} is not in the tree of {size} entries.", nameof(request));
        }

        uint? GreatestAt(ulong position)
        {
            int present = versions.Count(v => v.Position <= position);
            return present > 0 ? (uint)(present - 1) : null;
        }

        uint? atStart = GreatestAt(request.Start);
        if ((request.GreatestVersion is { } g && g >= versions.Length) ||
            (atStart is { } s && (request.GreatestVersion is null || request.GreatestVersion < s)))
        {
            throw new ArgumentException("The greatest version is ahead of the label's, or behind the version at the start.", nameof(request));
        }

        var session = new ProverSession(this, history, versions, size, request.Last, AuditedSize(request.Last, size, view));
        UpdateView.Run(session, size, request.Last);
        int ladders = 0;
        try
        {
            ContactMonitoring.Run(session, size, request.Entries, Configuration.ReasonableMonitoringWindow, request.Start);
            OwnerMonitoring.Run(
                session,
                size,
                request.Start,
                Configuration.ReasonableMonitoringWindow,
                position => GreatestAt(position),
                position =>
                {
                    bool stop = ladders >= OwnerLaddersPerResponse ||
                        (GreatestAt(position) is { } there && (request.GreatestVersion is null || there > request.GreatestVersion));
                    ladders += stop ? 0 : 1;
                    return stop;
                });
        }
        catch (Verification.KtVerificationException e)
        {
            throw new ArgumentException($"The owner's state cannot be followed: {e.Detail}.", nameof(request), e);
        }

        return new HeadAndProofResponse(FullHeadFor(request.Last, size, view), session.Finish(size, request.Last));
    }
}
