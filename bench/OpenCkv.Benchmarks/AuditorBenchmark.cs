using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using OpenCkv.Crypto;
using OpenCkv.Crypto.Signatures;
using OpenCkv.Crypto.Vrf;
using OpenCkv.KeyTransparency;
using OpenCkv.KeyTransparency.Auditing;
using OpenCkv.KeyTransparency.Logs;
using OpenCkv.KeyTransparency.Tls;

namespace OpenCkv.Benchmarks;

/// <summary>
/// The auditing goal of the key-transparency core, part 2: a third-party auditor verifies <see cref="AuditorUpdate"/>s
/// at no less than half the rate at which the same machine publishes them. A third-party-auditing log is filled
/// with background labels (random VRF outputs, 100 per entry) that the auditor follows; then 10,000 new
/// label-versions with real VRF outputs are published in entries of 100, and the auditor verifies those entries'
/// updates (decoded from their wire encoding) and signs a head after each. Both on one core, in the same run.
/// </summary>
internal static class AuditorBenchmark
{
    private const int PerEntry = 100;

    public static void Run(int background, int published)
    {
        CryptoSuite suite = CryptoSuite.Fastest;
        var signing = EcdsaP256PrivateKey.Generate();
        using VrfKeyPair vrf = suite.Vrf.GenerateKeyPair();
        var auditorKey = EcdsaP256PrivateKey.Generate();
        var configuration = new Configuration
        {
            Mode = DeploymentMode.ThirdPartyAuditing,
            SignaturePublicKey = signing.PublicKey.Encoded.ToArray(),
            VrfPublicKey = vrf.PublicKey.ToArray(),
            AuditorPublicKey = auditorKey.PublicKey.Encoded.ToArray(),
            MaxAuditorLag = 60_000,
            AuditorStartPosition = 0,
            MaxAhead = 60_000,
            MaxBehind = 86_400_000,
            ReasonableMonitoringWindow = 100_000,
            MaximumLifetime = null,
        };
        var log = TransparencyLog.Create(suite, configuration, signing, vrf);
        var auditor = Auditor.Create(suite, configuration, auditorKey);
        ulong now = 1_700_000_000_000UL;
        var output = new byte[32];
        for (int i = 0; i < background; i++)
        {
            RandomNumberGenerator.Fill(output);
            log.StageWithOutput(Encoding.ASCII.GetBytes($"mailto:user{i}@example.com"), output[..16], Hash32.From(output));
            if (i % PerEntry == PerEntry - 1)
            {
                log.Sequence(now += 1_000);
                auditor.Process(log.AuditorUpdateFor(log.Size - 1));
            }
        }

        log.AcceptAuditorHead(auditor.Sign());
        Console.WriteLine($"crypto path: {suite.Path}; {background:N0} background labels in {log.Size:N0} entries, audited");

        ulong first = log.Size;
        TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        for (int i = 0; i < published; i++)
        {
            log.Stage(Encoding.ASCII.GetBytes($"mailto:new{i}@example.com"), RandomNumberGenerator.GetBytes(16));
            if (i % PerEntry == PerEntry - 1)
            {
                log.Sequence(now += 1_000);
            }
        }

        double publishSeconds = wall.Elapsed.TotalSeconds;
        double publishCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;

        // The log's side of auditing, measured apart: producing and encoding the updates.
        var encoded = new List<byte[]>();
        wall.Restart();
        for (ulong p = first; p < log.Size; p++)
        {
            encoded.Add(TlsCodec.Encode(log.AuditorUpdateFor(p)));
        }

        double produceSeconds = wall.Elapsed.TotalSeconds;

        cpu = Process.GetCurrentProcess().TotalProcessorTime;
        wall.Restart();
        foreach (byte[] bytes in encoded)
        {
            auditor.Process(TlsCodec.Decode<AuditorUpdate>(bytes));
            auditor.Sign();
        }

        double auditSeconds = wall.Elapsed.TotalSeconds;
        double auditCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        log.AcceptAuditorHead(auditor.Sign());

        Console.WriteLine("| label-versions | entries | publishing: wall / CPU | versions/s | producing updates | auditing (decode, verify, sign a head per entry): wall / CPU | versions/s | audit rate / publish rate | bytes per update |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        Console.WriteLine(
            $"| {published:N0} | {encoded.Count:N0} | {publishSeconds:F2} s / {publishCpu:F2} s | {published / publishSeconds:N0} | {produceSeconds * 1000:F0} ms | " +
            $"{auditSeconds * 1000:F0} ms / {auditCpu * 1000:F0} ms | {published / auditSeconds:N0} | {publishSeconds / auditSeconds:F1}× (goal ≥ 0.5×) | {encoded.Average(e => e.Length):N0} |");
    }
}
