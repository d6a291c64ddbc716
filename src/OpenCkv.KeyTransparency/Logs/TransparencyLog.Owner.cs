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

        (ulong size, TreeHead head, LabelHistory? cached) = Begin(request.Label, request.Last, nameof(request));

        // An owner may take over a label that has no version yet; its VRF outputs are then computed per response.
        LabelHistory history = cached ?? new LabelHistory(request.Label.ToArray(), []);
        PublishedVersion[] versions = history.VersionsIn(size);
        var session = new ProverSession(this, history, versions, request.Last);
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

        // Steps 3 and 4: commitments for the versions present at the starting entry (docs/protocol-notes.md).
        BinaryLadderStep[] steps = OwnerInitialization.LadderVersions(greatest)
            .Select(v => new BinaryLadderStep(
                history.Proof(v, version => ProveVrf(history.Label, version)),
                greatest.Count > 0 && v <= greatest[0] ? versions[v].Commitment : null))
            .ToArray();
        return new OwnerInitResponse(FullHeadFor(request.Last, size, head), greatest, steps, session.Finish(size, request.Last));
    }
}
