using System.Diagnostics;
using System.Text;
using OpenCkv.Crypto;
using OpenCkv.KeyTransparency;
using OpenCkv.KeyTransparency.Logs;
using OpenCkv.KeyTransparency.Search;
using OpenCkv.KeyTransparency.Tls;

namespace OpenCkv.Benchmarks;

/// <summary>
/// The monitoring goals of the key-transparency core, part 2, on the search fixture (loaded from the disk cache)
/// after 1,000 more entries (about 10 of them distinguished). Contact monitoring: one user monitors 100 contacts,
/// published with real VRF outputs during the first 100 of those entries, one per entry, each looked up right after
/// it appears (so each lookup obliges monitoring); afterwards the user runs one pass over all 100. Owner
/// monitoring: the owner of the fixture's target label (8 versions) takes it over at the rightmost distinguished
/// entry before the 1,000 entries, writes one new version in entry 500 of them, and afterwards runs owner
/// monitoring until a pass completes. Reported: CPU time to build and to verify each, and bytes on the wire.
/// </summary>
internal static class MonitoringBenchmark
{
    private const int Contacts = 100;
    private const int MoreEntries = 1_000;

    public static void Run(int labels)
    {
        CryptoSuite suite = CryptoSuite.Fastest;
        (TransparencyLog log, string how) = SearchMacroBenchmark.Fixture(suite, labels);
        Console.WriteLine($"crypto path: {suite.Path}; fixture of {labels:N0} labels {how}, {log.Size:N0} entries");

        ulong now = 1_700_000_000_000UL + (log.Size * 1_000);
        (OwnerState owner, ClientState ownerClient) = TakeOver(suite, log, now);
        ClientState? state = null;
        var monitored = new List<MonitoredLabel>();
        for (int entry = 0; entry < MoreEntries; entry++)
        {
            byte[]? contact = entry < Contacts ? Encoding.ASCII.GetBytes($"mailto:contact{entry}@example.com") : null;
            if (contact is not null)
            {
                log.Stage(contact, Encoding.ASCII.GetBytes($"keys of contact {entry}"));
            }

            if (entry == MoreEntries / 2)
            {
                var write = new UpdateRequest(ownerClient.TreeSize, Target, owner.GreatestVersion, [new LabelValue("target's new keys"u8.ToArray())]);
                VerifiedUpdate written = UpdateVerifier.VerifyAll(suite, log.Configuration, ownerClient, owner, write, log.Update(write, now += 1_000), now);
                (owner, ownerClient) = (written.Owner, written.State);
            }
            else
            {
                log.Sequence(now += 1_000);
            }

            if (contact is not null)
            {
                var request = new SearchRequest(state?.TreeSize, contact, null);
                VerifiedSearch found = SearchVerifier.Verify(suite, log.Configuration, state, request, log.Search(request), now);
                state = found.State;
                if (found.MustMonitor)
                {
                    monitored.Add(MonitoredLabel.After(contact, found));
                }
            }
        }

        Console.WriteLine($"{monitored.Count} of {Contacts} lookups obliged monitoring; log now {log.Size:N0} entries");

        // One pass: the first request brings the user's view up to date, the rest are answered with 'same' heads.
        var requests = new List<(ClientState? State, MonitoredLabel Label, HeadAndProofResponse Response, byte[] Encoded)>();
        ClientState? passState = state;
        foreach (MonitoredLabel label in monitored)
        {
            HeadAndProofResponse response = log.ContactMonitor(label.Request(passState?.TreeSize));
            var writer = new TlsWriter();
            response.Encode(writer, log.Configuration.Mode);
            requests.Add((passState, label, response, writer.ToArray()));
            passState = ContactMonitorVerifier.Verify(suite, log.Configuration, passState, label, response, now).State;
        }

        int stillMonitored = requests.Count(r => !ContactMonitorVerifier.Verify(suite, log.Configuration, r.State, r.Label, r.Response, now).Label.Done);
        double buildMicros = Timing.MedianMicros(() => requests.ForEach(r => log.ContactMonitor(r.Label.Request(r.State?.TreeSize))), 21, warmup: 3);
        double verifyMicros = Timing.MedianMicros(
            () => requests.ForEach(r => ContactMonitorVerifier.Verify(suite, log.Configuration, r.State, r.Label, r.Response, now)), 21, warmup: 3);
        long bytes = requests.Sum(r => (long)r.Encoded.Length);
        Console.WriteLine($"| contacts monitored | log CPU to build the pass (median of 21) | client CPU to verify it | bytes | first response (view update) | still monitored after the pass |");
        Console.WriteLine($"|---|---|---|---|---|---|");
        Console.WriteLine(
            $"| {requests.Count} | {buildMicros / 1000:F2} ms | {verifyMicros / 1000:F2} ms | {bytes:N0} B | {requests[0].Encoded.Length:N0} B | {stillMonitored} |");
        OwnerPass(suite, log, owner, ownerClient, now);
        Console.WriteLine($"process CPU so far {Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds:F1} s");
    }

    private static readonly byte[] Target = "mailto:target@example.com"u8.ToArray();

    /// <summary>The target's owner takes it over at the rightmost distinguished entry the log accepts as a start.</summary>
    private static (OwnerState Owner, ClientState State) TakeOver(CryptoSuite suite, TransparencyLog log, ulong now)
    {
        for (ulong start = log.Size - 1; ; start--)
        {
            var request = new OwnerInitRequest(null, Target, start);
            try
            {
                VerifiedOwnerInit init = OwnerInitVerifier.Verify(suite, log.Configuration, null, request, log.OwnerInit(request), now);
                Console.WriteLine($"the target's owner starts at entry {start:N0} with version {init.Owner.GreatestVersion}");
                return (init.Owner, init.State);
            }
            catch (ArgumentException)
            {
                // not an unexpired distinguished entry
            }
        }
    }

    /// <summary>Owner monitoring until a pass completes; the medians of repeating that pass.</summary>
    private static void OwnerPass(CryptoSuite suite, TransparencyLog log, OwnerState owner, ClientState state, ulong now)
    {
        var responses = new List<(OwnerState Owner, ClientState State, HeadAndProofResponse Response, int Bytes)>();
        for (bool complete = false; !complete;)
        {
            HeadAndProofResponse response = log.OwnerMonitor(OwnerMonitorVerifier.Request(owner, state.TreeSize));
            var writer = new TlsWriter();
            response.Encode(writer, log.Configuration.Mode);
            responses.Add((owner, state, response, writer.ToArray().Length));
            VerifiedOwnerMonitor result = OwnerMonitorVerifier.Verify(suite, log.Configuration, state, owner, response, now);
            (owner, state, complete) = (result.Owner, result.State, result.Complete);
        }

        double buildMicros = Timing.MedianMicros(() => responses.ForEach(r => log.OwnerMonitor(OwnerMonitorVerifier.Request(r.Owner, r.State.TreeSize))), 21, warmup: 3);
        double verifyMicros = Timing.MedianMicros(() => responses.ForEach(r => OwnerMonitorVerifier.Verify(suite, log.Configuration, r.State, r.Owner, r.Response, now)), 21, warmup: 3);
        Console.WriteLine();
        Console.WriteLine("| owner monitoring: responses until complete | log CPU to build them (median of 21) | owner CPU to verify them | bytes | start after the pass | map left |");
        Console.WriteLine("|---|---|---|---|---|---|");
        Console.WriteLine($"| {responses.Count} | {buildMicros / 1000:F2} ms | {verifyMicros / 1000:F2} ms | {responses.Sum(r => r.Bytes):N0} B | {owner.Start:N0} | {owner.Map.Count} |");
    }
}
