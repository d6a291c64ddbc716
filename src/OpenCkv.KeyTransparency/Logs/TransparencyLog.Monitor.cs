using OpenCkv.KeyTransparency.Logs.Storage;
using OpenCkv.KeyTransparency.Search;
using OpenCkv.KeyTransparency.Trees;

namespace OpenCkv.KeyTransparency.Logs;

public sealed partial class TransparencyLog
{
    /// <summary>
    /// Answers a contact-monitoring request (KT §13.2): checks the map as the draft requires, then runs the view
    /// update and the contact algorithm (§8.2) against the log, recording what the client will consume.
    /// </summary>
    /// <exception cref="ArgumentException">The map is not sorted, repeats a position or version, names a version the
    /// label does not have, or a position off the direct path of the entry that added its version; or <c>last</c>
    /// is not a size this log had.</exception>
    public HeadAndProofResponse ContactMonitor(ContactMonitorRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        (ulong size, SignedView view, LabelHistory? history) = Begin(request.Label, request.Last, nameof(request));
        PublishedVersion[] versions = history?.VersionsIn(size) ?? [];
        CheckMonitorMap(request.Entries, versions, size);

        var session = new ProverSession(this, history!, versions, size, request.Last, AuditedSize(request.Last, size, view));
        UpdateView.Run(session, size, request.Last);
        try
        {
            ContactMonitoring.Run(session, size, request.Entries, Configuration.ReasonableMonitoringWindow);
        }
        catch (Verification.KtVerificationException e)
        {
            // On honest data the algorithm fails only for a map the log never showed this way (a greater version
            // monitored left of a lesser one on a shared path).
            throw new ArgumentException($"The monitoring map cannot be followed: {e.Detail}.", nameof(request), e);
        }

        return new HeadAndProofResponse(FullHeadFor(request.Last, size, view), session.Finish(size, request.Last));
    }

    /// <summary>
    /// The size, signed heads and cached label history a response is built for, taken under the gate. A
    /// third-party-auditing log answers only once its auditor has signed a head (KT §11.4).
    /// </summary>
    private (ulong Size, SignedView View, LabelHistory? History) Begin(byte[] label, ulong? last, string parameter)
    {
        ulong size;
        SignedView view;
        LabelHistory? history;
        lock (_gate)
        {
            size = _size;
            view = new SignedView(_head ?? throw new ArgumentException("The log has no entries yet.", parameter), _auditorHead);
        }

        history = HistoryOf(label, create: false);

        if (Configuration.Mode == DeploymentMode.ThirdPartyAuditing && view.Auditor is null && last != size)
        {
            throw new InvalidOperationException("The auditor has not signed a head of this log yet.");
        }

        if (last is { } m && (m == 0 || m > size))
        {
            throw new ArgumentException($"The client's last tree size {m} is not one this log of {size} entries had.", parameter);
        }

        return (size, view, history);
    }

    /// <summary>KT §11.4: <c>same</c> for a client already at this size, else the log's head and, when audited, the
    /// auditor's.</summary>
    private FullTreeHead FullHeadFor(ulong? last, ulong size, SignedView view) =>
        last == size
            ? FullTreeHead.Same
            : new FullTreeHead(FullTreeHeadType.Updated, view.Head, Configuration.Mode == DeploymentMode.ThirdPartyAuditing ? view.Auditor : null);

    /// <summary>The auditor's tree size whose root the combined proof must also give (KT §12.3), when a head is sent.</summary>
    private ulong? AuditedSize(ulong? last, ulong size, SignedView view) =>
        last == size || Configuration.Mode != DeploymentMode.ThirdPartyAuditing ? null : view.Auditor?.TreeSize;

    /// <summary>The log's signed head of one size and the auditor's latest head, as one response sends them.</summary>
    private sealed record SignedView(TreeHead Head, AuditorTreeHead? Auditor);

    /// <summary>KT §13.2: ascending positions, no repeated position or version, each position on the direct path of
    /// the entry that first contained its version (or that entry itself: a search can end there).</summary>
    private static void CheckMonitorMap(IReadOnlyList<MonitorMapEntry> entries, PublishedVersion[] versions, ulong size)
    {
        var seen = new HashSet<uint>();
        for (int i = 0; i < entries.Count; i++)
        {
            MonitorMapEntry entry = entries[i];
            if (i > 0 && entry.Position <= entries[i - 1].Position)
            {
                throw new ArgumentException("Monitoring map positions must be strictly ascending.", nameof(entries));
            }

            if (!seen.Add(entry.Version) || entry.Version >= versions.Length || entry.Position >= size)
            {
                throw new ArgumentException($"Monitoring map entry ({entry.Position}, {entry.Version}) names a repeated or unknown version or position.", nameof(entries));
            }

            ulong first = versions[entry.Version].Position;
            if (entry.Position != first && !ImplicitTree.DirectPath(first, size).Contains(entry.Position))
            {
                throw new ArgumentException($"Entry {entry.Position} is not on the direct path of entry {first}, which added version {entry.Version}.", nameof(entries));
            }
        }
    }
}
