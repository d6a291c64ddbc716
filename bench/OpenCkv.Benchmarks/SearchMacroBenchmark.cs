using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using OpenCkv.Crypto;
using OpenCkv.Crypto.Signatures;
using OpenCkv.Crypto.Vrf;
using OpenCkv.KeyTransparency;
using OpenCkv.KeyTransparency.Logs;
using OpenCkv.KeyTransparency.Logs.Storage;
using OpenCkv.KeyTransparency.Search;
using OpenCkv.KeyTransparency.Tls;

namespace OpenCkv.Benchmarks;

/// <summary>
/// The search goals of the key-transparency core, on the fixture the work item names: N labels with one version
/// each, published over 10,000 entries (N/10,000 per entry), timestamps one second apart and a monitoring window
/// of 100 s (about one distinguished entry per 100 entries), and a target label with 8 versions spread over the
/// log. Background labels get random VRF outputs (their proofs are never served); the target's are real.
/// Medians of repeated runs on one core; the machine's own OpenSSL figures are in the crypto run beside it.
/// </summary>
internal static class SearchMacroBenchmark
{
    private const int Entries = 10_000;
    private static readonly byte[] Target = "mailto:target@example.com"u8.ToArray();

    public static void Run(int[] labelCounts, bool publish)
    {
        CryptoSuite suite = CryptoSuite.Fastest;
        Console.WriteLine($"crypto path: {suite.Path}");
        Console.WriteLine($"fixtures cached in {FixtureSnapshot.CacheDirectory()}");
        Console.WriteLine("| labels | fixture built or loaded (s) | first-contact response: build µs (median) | size B | one-entry-behind: build µs | size B | client verify µs | of which VRF µs | beyond VRF µs |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        TransparencyLog? largest = null;
        foreach (int labels in labelCounts)
        {
            var build = Stopwatch.StartNew();
            (TransparencyLog log, string how) = Fixture(suite, labels);
            string buildSeconds = $"{how} {build.Elapsed.TotalSeconds:F1}";
            Measure(suite, log, labels, buildSeconds);
            largest = log;
        }

        if (publish && largest is not null)
        {
            Publish(suite, largest, 100_000);
        }
    }

    /// <summary>The fixture of <paramref name="labels"/> labels: loaded from the cache, or built and cached.</summary>
    internal static (TransparencyLog Log, string How) Fixture(CryptoSuite suite, int labels)
    {
        string path = Path.Combine(FixtureSnapshot.CacheDirectory(), FixtureSnapshot.Name(labels));
        if (File.Exists(path))
        {
            return (FixtureSnapshot.Load(path, suite, FixtureConfiguration), "loaded");
        }

        var signingKey = EcdsaP256PrivateKey.Generate();
        VrfKeyPair vrfKey = suite.Vrf.GenerateKeyPair();
        var store = new InMemoryLogStore(suite.TreeHashes);
        TransparencyLog log = TransparencyLog.Create(suite, FixtureConfiguration(signingKey, vrfKey), signingKey, vrfKey, store);
        Populate(log, labels);
        FixtureSnapshot.Save(path, store, signingKey, vrfKey);
        return (log, "built");
    }

    internal static Configuration FixtureConfiguration(EcdsaP256PrivateKey signingKey, VrfKeyPair vrfKey) => new()
    {
        Mode = DeploymentMode.ContactMonitoring,
        SignaturePublicKey = signingKey.PublicKey.Encoded.ToArray(),
        VrfPublicKey = vrfKey.PublicKey.ToArray(),
        MaxAhead = 60_000,
        MaxBehind = 86_400_000,
        ReasonableMonitoringWindow = 100_000,
        MaximumLifetime = null,
    };

    /// <summary>
    /// Fills <paramref name="log"/> with the fixture: <paramref name="labels"/> background labels (random VRF
    /// outputs) over <paramref name="entries"/> entries 1 s apart, and the target's 8 versions spread over them.
    /// </summary>
    internal static void Populate(TransparencyLog log, int labels, int entries = Entries)
    {
        var random = new Random(labels);
        int perEntry = Math.Max(1, labels / entries);
        int published = 0;
        var output = new byte[32];
        for (int entry = 0; entry < entries; entry++)
        {
            for (int i = 0; i < perEntry && published < labels; i++, published++)
            {
                random.NextBytes(output);
                log.StageWithOutput(Encoding.ASCII.GetBytes($"mailto:user{published}@example.com"), output[..16], Hash32.From(output));
            }

            if (entry % (entries / 8) == 0)
            {
                log.Stage(Target, Encoding.ASCII.GetBytes($"target version at entry {entry}"));
            }

            log.Sequence(1_700_000_000_000UL + ((ulong)entry * 1_000));
        }
    }

    private static void Measure(CryptoSuite suite, TransparencyLog log, int labels, string buildSeconds)
    {
        var first = new SearchRequest(null, Target, null);
        SearchResponse firstResponse = log.Search(first);
        byte[] firstBytes = Encode(firstResponse, log.Configuration.Mode);
        double firstMicros = Timing.MedianMicros(() => log.Search(first), 301);

        ulong now = 1_700_000_000_000UL + ((ulong)Entries * 1_000);
        ClientState behind = SearchVerifier.Verify(suite, log.Configuration, null, first, firstResponse, now).State;
        log.Sequence(now); // one heartbeat entry: the client is now one entry behind
        var again = new SearchRequest(behind.TreeSize, Target, null);
        SearchResponse againResponse = log.Search(again);
        byte[] againBytes = Encode(againResponse, log.Configuration.Mode);
        double againMicros = Timing.MedianMicros(() => log.Search(again), 301);

        double verifyMicros = Timing.MedianMicros(() => SearchVerifier.Verify(suite, log.Configuration, null, first, firstResponse, now), 101);
        uint target = firstResponse.Version!.Value;
        double vrfMicros = Timing.MedianMicros(() => SearchVerifier.VerifyLadderProofs(suite, log.Configuration, Target, target, firstResponse), 101);
        var outputs = SearchVerifier.VerifyLadderProofs(suite, log.Configuration, Target, target, firstResponse);
        double beyondMicros = Timing.MedianMicros(() => SearchVerifier.VerifyWithVrfOutputs(suite, log.Configuration, null, first, firstResponse, now, outputs), 301);
        Console.WriteLine(
            $"| {labels:N0} | {buildSeconds} | {firstMicros:F1} | {firstBytes.Length:N0} | {againMicros:F1} | {againBytes.Length:N0} | " +
            $"{verifyMicros:F0} | {vrfMicros:F0} ({firstResponse.BinaryLadder.Count} proofs) | {beyondMicros:F0} |");
    }

    /// <summary>
    /// The building goal: publish new label-versions (real VRF outputs) in entries of 100, and compare with the
    /// rate of VRF-output evaluation alone on the same core in the same run.
    /// </summary>
    private static void Publish(CryptoSuite suite, TransparencyLog log, int versions)
    {
        using VrfKeyPair key = suite.Vrf.GenerateKeyPair();
        var output = new byte[32];
        byte[] alpha = TlsCodec.Encode(new VrfInput("mailto:someone@example.com"u8.ToArray(), 0));
        double vrfMicros = Timing.MedianMicros(() => suite.Vrf.Evaluate(key, alpha, output), 2001);

        ulong timestamp = 1_700_100_000_000UL;
        TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        for (int i = 0; i < versions; i++)
        {
            log.Stage(Encoding.ASCII.GetBytes($"mailto:new{i}@example.com"), RandomNumberGenerator.GetBytes(16));
            if (i % 100 == 99)
            {
                log.Sequence(timestamp += 1_000);
            }
        }

        double wallSeconds = wall.Elapsed.TotalSeconds;
        double cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
        double vrfSeconds = versions * vrfMicros / 1e6;
        Console.WriteLine();
        Console.WriteLine($"publishing {versions:N0} label-versions in entries of 100: wall {wallSeconds:F1} s, process CPU {cpuSeconds:F1} s, {versions / wallSeconds:F0} versions/s");
        Console.WriteLine($"VRF output evaluation alone: {vrfMicros:F1} µs median = {1e6 / vrfMicros:F0}/s; {versions:N0} of them = {vrfSeconds:F1} s");
        Console.WriteLine($"publishing rate / VRF-only rate = {vrfSeconds / wallSeconds:P0} (goal ≥ 60 %); VRF share of the time {vrfSeconds / wallSeconds:P0}, the rest {1 - (vrfSeconds / wallSeconds):P0}");
    }

    private static byte[] Encode(SearchResponse response, DeploymentMode mode)
    {
        var writer = new TlsWriter();
        response.Encode(writer, versionRequested: false, mode);
        return writer.ToArray();
    }
}
