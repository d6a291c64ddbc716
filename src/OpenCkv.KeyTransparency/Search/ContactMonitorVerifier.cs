using OpenCkv.Crypto;
using OpenCkv.KeyTransparency.Verification;

namespace OpenCkv.KeyTransparency.Search;

/// <summary>
/// What a contact-monitoring client keeps for one label (KT §8.2): the monitoring map, and the search key and
/// commitment of every version its monitoring ladders look up, learnt from the searches that started it.
/// </summary>
public sealed record MonitoredLabel(byte[] Label, IReadOnlyList<MonitorMapEntry> Map, IReadOnlyDictionary<uint, PrefixLeaf> Known)
{
    /// <summary>Starts monitoring after a search whose result obliges it (<see cref="VerifiedSearch.MustMonitor"/>).</summary>
    public static MonitoredLabel After(byte[] label, VerifiedSearch search)
    {
        ArgumentNullException.ThrowIfNull(label);
        ArgumentNullException.ThrowIfNull(search);
        return new MonitoredLabel(label, [new MonitorMapEntry(search.TerminalPosition, search.Version)], search.KnownLeaves);
    }

    /// <summary>
    /// Adds the version a later search showed. One position keeps one version, the greater; one version keeps
    /// one position, the further right (it has been checked further up its path).
    /// </summary>
    public MonitoredLabel With(VerifiedSearch search)
    {
        ArgumentNullException.ThrowIfNull(search);
        var byPosition = Map.ToDictionary(e => e.Position, e => e.Version);
        MonitorMapEntry? sameVersion = Map.FirstOrDefault(e => e.Version == search.Version);
        if (sameVersion is not null)
        {
            if (sameVersion.Position >= search.TerminalPosition)
            {
                return this;
            }

            byPosition.Remove(sameVersion.Position);
        }

        if (!byPosition.TryGetValue(search.TerminalPosition, out uint there) || there < search.Version)
        {
            byPosition[search.TerminalPosition] = search.Version;
        }

        var known = new Dictionary<uint, PrefixLeaf>(Known);
        foreach ((uint version, PrefixLeaf leaf) in search.KnownLeaves)
        {
            known.TryAdd(version, leaf);
        }

        return this with
        {
            Map = byPosition.OrderBy(p => p.Key).Select(p => new MonitorMapEntry(p.Key, p.Value)).ToArray(),
            Known = known,
        };
    }

    /// <summary>True when nothing is left to monitor.</summary>
    public bool Done => Map.Count == 0;

    /// <summary>The request that monitors this label from a client at <paramref name="last"/>.</summary>
    public ContactMonitorRequest Request(ulong? last) => new(last, Label, Map);
}

/// <summary>The result of a verified contact-monitoring response: the map left to monitor and the new client state.</summary>
public sealed record VerifiedContactMonitor(MonitoredLabel Label, ClientState State);

/// <summary>
/// The client's check of a <c>ContactMonitorResponse</c> (KT §13.2): the view update and the contact algorithm
/// over the combined proof, the log root, the tree head and its freshness. Nothing given is changed; the new
/// state and map are returned only when every check passed.
/// </summary>
public static class ContactMonitorVerifier
{
    /// <summary>Verifies a response to <paramref name="monitored"/>'s request from <paramref name="state"/>.</summary>
    /// <param name="suite">The crypto implementation.</param>
    /// <param name="configuration">The log's configuration as the client pinned it.</param>
    /// <param name="state">The client's state; the request advertised its tree size.</param>
    /// <param name="monitored">The label and map the request was made from.</param>
    /// <param name="response">The response as decoded.</param>
    /// <param name="nowMs">The client's clock, milliseconds since the Unix epoch.</param>
    /// <exception cref="KtVerificationException">Any check failed; the exception names which and carries the values.</exception>
    public static VerifiedContactMonitor Verify(
        CryptoSuite suite, Configuration configuration, ClientState? state, MonitoredLabel monitored, HeadAndProofResponse response, ulong nowMs)
    {
        ArgumentNullException.ThrowIfNull(suite);
        ArgumentNullException.ThrowIfNull(monitored);
        ArgumentNullException.ThrowIfNull(response);
        VerifierPreconditions.Check(configuration, state, state?.TreeSize, nameof(state));

        ulong size = SearchVerifier.TreeSizeOf(state, response.FullTreeHead);
        CheckMap(monitored, size);

        var outputs = new Dictionary<uint, Hash32>();
        var commitments = new Dictionary<uint, Hash32>();
        foreach ((uint version, PrefixLeaf leaf) in monitored.Known)
        {
            outputs[version] = leaf.VrfOutput;
            commitments[version] = leaf.Commitment;
        }

        var session = new VerifierSession(suite, state, response.Proof, outputs, commitments);
        UpdateView.Run(session, size, state?.TreeSize);
        IReadOnlyList<MonitorMapEntry> map = ContactMonitoring.Run(session, size, monitored.Map, configuration.ReasonableMonitoringWindow);
        (ClientState newState, ulong rightmost) = session.Finish(configuration, size, response.FullTreeHead, state);
        SearchVerifier.CheckFreshness(configuration, rightmost, nowMs);
        return new VerifiedContactMonitor(monitored with { Map = map }, newState);
    }

    /// <summary>The client's own map must be well formed and inside the new tree before the algorithm walks it.</summary>
    private static void CheckMap(MonitoredLabel monitored, ulong size)
    {
        var versions = new HashSet<uint>();
        for (int i = 0; i < monitored.Map.Count; i++)
        {
            MonitorMapEntry entry = monitored.Map[i];
            if ((i > 0 && entry.Position <= monitored.Map[i - 1].Position) || !versions.Add(entry.Version))
            {
                throw new ArgumentException("The monitoring map must have ascending positions and distinct versions.", nameof(monitored));
            }

            if (entry.Position >= size)
            {
                throw SearchVerifier.Fail(VerificationFailure.InconsistentInput, $"monitored entry {entry.Position} is beyond the tree of {size} entries");
            }
        }
    }
}
