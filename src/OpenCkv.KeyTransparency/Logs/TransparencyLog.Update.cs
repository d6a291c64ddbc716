using OpenCkv.KeyTransparency.Logs.Storage;
using OpenCkv.KeyTransparency.Search;

namespace OpenCkv.KeyTransparency.Logs;

public sealed partial class TransparencyLog
{
    /// <summary>
    /// Answers an update request (KT §13.5). When the owner's greatest version is current, its values become new
    /// versions in one new entry with <paramref name="timestampMs"/>, and one response describes them. When it is
    /// stale, the values are disregarded and one response per later entry that added versions describes those,
    /// chained: each answers the request the previous one implies (KT §13.5, last paragraph).
    /// </summary>
    /// <exception cref="ArgumentException">The greatest version is ahead of the label's, or current with no values;
    /// the label has staged versions not yet sequenced; or <c>last</c> is not a size this log had.</exception>
    public IReadOnlyList<UpdateResponse> Update(UpdateRequest request, ulong timestampMs)
    {
        ArgumentNullException.ThrowIfNull(request);

        // Updates are serialized: the check that the owner's greatest version is current, the staging of its values
        // and the entry that holds them are one step, so two concurrent updates of one label never both pass.
        ulong? createdAt = null;
        int advertised;
        lock (_updateGate)
        {
            (ulong before, _, LabelHistory? known) = Begin(request.Label, request.Last, nameof(request));
            long current = known?.VersionsIn(before).Length ?? 0;
            long next = request.GreatestVersion is { } g ? (long)g + 1 : 0; // a uint from the wire: no overflow in long
            if (next > current || (next == current && request.Values.Count == 0))
            {
                throw new ArgumentException(
                    $"The request's greatest version {request.GreatestVersion?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(none)"} is ahead of the label's {current} versions, or names no new value.",
                    nameof(request));
            }

            advertised = (int)next;
            if (next == current)
            {
                createdAt = Publish(request, timestampMs);
            }
        }

        (ulong size, SignedView view, LabelHistory? history) = Begin(request.Label, request.Last, nameof(request));
        PublishedVersion[] versions = history!.VersionsIn(size);
        var responses = new List<UpdateResponse>();
        ulong? last = request.Last;
        uint? previous = request.GreatestVersion;
        foreach (IGrouping<ulong, PublishedVersion> entry in versions.Skip(advertised).GroupBy(v => v.Position))
        {
            // Only the entry this request created holds the owner's own values; every other shows someone else's.
            PublishedVersion[] added = [.. entry];
            responses.Add(UpdateResponseFor(history, versions, size, view, last, previous, added, valuesShown: entry.Key != createdAt));
            last = size;
            previous = added[^1].Version;
        }

        return responses;
    }

    /// <summary>
    /// Stages the request's values as the label's next versions — all or none — and sequences them in one entry.
    /// </summary>
    /// <returns>The entry's position.</returns>
    private ulong Publish(UpdateRequest request, ulong timestampMs)
    {
        lock (_writeGate)
        {
            if (HistoryOf(request.Label, create: false) is { } staged && _pendingPerLabel.ContainsKey(staged))
            {
                throw new ArgumentException("The label has staged versions that are not sequenced yet.", nameof(request));
            }

            if (Configuration.Mode == DeploymentMode.ThirdPartyAuditing && _pending.Count + request.Values.Count > PrefixProof.MaxResults)
            {
                throw new ArgumentException($"An audited entry holds at most {PrefixProof.MaxResults} new versions.", nameof(request));
            }

            foreach (LabelValue value in request.Values)
            {
                StageLocked(request.Label, value.Value);
            }
        }

        return Sequence(timestampMs);
    }

    /// <summary>One response for the versions <paramref name="added"/> at one entry (KT §9, §13.5).</summary>
    private UpdateResponse UpdateResponseFor(
        LabelHistory history, PublishedVersion[] versions, ulong size, SignedView view, ulong? last, uint? previous, PublishedVersion[] added, bool valuesShown)
    {
        ulong position = added[0].Position;
        uint[] addedVersions = added.Select(v => v.Version).ToArray();
        var session = new ProverSession(this, history, versions, size, last, AuditedSize(last, size, view));
        UpdateView.Run(session, size, last);
        LabelUpdate.Run(session, size, position, previous, addedVersions, Configuration.ReasonableMonitoringWindow);

        BinaryLadderStep[] steps = LabelUpdateProofs.Versions(previous, addedVersions)
            .Select(v => new BinaryLadderStep(
                history.Proof(v, version => ProveVrf(history.Label, version)),
                previous is { } p && v < p ? versions[v].Commitment : null))
            .ToArray();
        return new UpdateResponse(
            FullHeadFor(last, size, view),
            position,
            0,
            valuesShown ? added.Select(v => new LabelValue(v.Value.Value)).ToArray() : [],
            added.Select(v => new UpdateInfo(v.Opening, null)).ToArray(),
            steps,
            session.Finish(size, last));
    }
}
