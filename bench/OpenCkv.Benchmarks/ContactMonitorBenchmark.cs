using System.Diagnostics;
using System.Text;
using OpenCkv.Crypto;
using OpenCkv.KeyTransparency;
using OpenCkv.KeyTransparency.Logs;
using OpenCkv.KeyTransparency.Search;
using OpenCkv.KeyTransparency.Tls;

namespace OpenCkv.Benchmarks;

/// <summary>
/// The contact-monitoring goal of the key-transparency core, part 2: on the search fixture (loaded from the disk
/// cache) after 1,000 more entries, one user monitors 100 contacts. The contacts are published with real VRF
/// outputs during the first 100 of those entries, one per entry, and the user looks each up right after it
/// appears, so each lookup obliges monitoring; 1,000 entries later (about 10 distinguished entries) the user runs
/// one monitoring pass over all 100. Reported: CPU time to build and to verify a pass, and its bytes on the wire.
/// </summary>
internal static class ContactMonitorBenchmark
{
    private const int Contacts = 100;
    private const int MoreEntries = 1_000;

    public static void Run(int labels)
    {
        CryptoSuite suite = CryptoSuite.Fastest;
        (TransparencyLog log, string how) = SearchMacroBenchmark.Fixture(suite, labels);
        Console.WriteLine($"crypto path: {suite.Path}; fixture of {labels:N0} labels {how}, {log.Size:N0} entries");

        ulong now = 1_700_000_000_000UL + (log.Size * 1_000);
        ClientState? state = null;
        var monitored = new List<MonitoredLabel>();
        for (int entry = 0; entry < MoreEntries; entry++)
        {
            byte[]? contact = entry < Contacts ? Encoding.ASCII.GetBytes($"mailto:contact{entry}@example.com") : null;
            if (contact is not null)
            {
                log.Stage(contact, Encoding.ASCII.GetBytes($"keys of contact {entry}"));
            }

            log.Sequence(now += 1_000);
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
        Console.WriteLine($"process CPU so far {Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds:F1} s");
    }
}
