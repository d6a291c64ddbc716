using System.Security.Cryptography;
using System.Text;
using OpenCkv.Crypto;
using OpenCkv.Crypto.Signatures;
using OpenCkv.Crypto.Vrf;
using OpenCkv.KeyTransparency;
using OpenCkv.KeyTransparency.Logs;
using OpenCkv.KeyTransparency.Search;
using OpenCkv.KeyTransparency.Tls;
using OpenCkv.KeyTransparency.Verification;
using OpenCkv.Protocol;
using OpenCkv.Storage.Sqlite;

namespace OpenCkv.Cli;

/// <summary>
/// The second half of `ckv selfcheck`: a key-transparency log in a SQLite file in a temporary folder, walked
/// through the user operations — Alice publishes a signed handle record; Bob looks her up, checks the record and
/// her public code, and monitors her; the file is closed and reopened; Alice takes ownership, updates her record
/// and monitors it; Bob's device compares distinguished heads with another view. Each step reports ok or the
/// failure it saw.
/// </summary>
internal static class LogWalkthrough
{
    private static readonly byte[] Alice = "mailto:alice@example.com"u8.ToArray();

    public static List<(string Step, string Result)> Run()
    {
        var steps = new List<(string, string)>();
        string folder = System.IO.Directory.CreateTempSubdirectory("ckv-selfcheck-").FullName;
        try
        {
            Walk(Path.Combine(folder, "log.db"), steps);
        }
        catch (Exception e) when (e is KtVerificationException or RecordException or ArgumentException or InvalidOperationException)
        {
            steps.Add(("walkthrough stopped", $"FAILED: {e.Message}"));
        }
        finally
        {
            System.IO.Directory.Delete(folder, recursive: true);
        }

        return steps;
    }

    private static void Walk(string path, List<(string, string)> steps)
    {
        CryptoSuite suite = CryptoSuite.Fastest;
        using var signing = EcdsaP256PrivateKey.Generate();
        using VrfKeyPair vrf = suite.Vrf.GenerateKeyPair();
        using var aliceKey = EcdsaP256PrivateKey.Generate();
        var configuration = new Configuration
        {
            Mode = DeploymentMode.ContactMonitoring,
            SignaturePublicKey = signing.PublicKey.Encoded.ToArray(),
            VrfPublicKey = vrf.PublicKey.ToArray(),
            MaxAhead = 60_000,
            MaxBehind = 86_400_000,
            ReasonableMonitoringWindow = 1_000,
            MaximumLifetime = null,
        };
        ulong now = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 60_000;
        byte[] accountId = RandomNumberGenerator.GetBytes(16);

        ClientState bob;
        MonitoredLabel watching;
        using (var database = new SqliteLogDatabase(path))
        {
            TransparencyLog log = TransparencyLog.Create(suite, configuration, signing, vrf, new SqliteLogStore(database, suite.TreeHashes, levelsPerPage: 4));
            for (int i = 0; i < 30; i++)
            {
                log.Stage(Encoding.ASCII.GetBytes($"mailto:user{i}@example.com"), [(byte)i]);
                log.Sequence(now += 200);
            }

            log.Stage(Alice, Record(aliceKey, accountId, version: 0, counter: 1));
            log.Sequence(now += 200);
            var search = new SearchRequest(null, Alice, null);
            VerifiedSearch found = SearchVerifier.Verify(suite, configuration, null, search, log.Search(search), now);
            HandleRecord record = RecordCheck.Verify(found.Value.Value, Alice, found.Version);
            string code = PublicCode.Derive(record.AccountKey);
            steps.Add(("Bob looks up Alice: proofs, record signature, devices", $"ok (version {found.Version}, log of {log.Size} entries in SQLite)"));
            steps.Add(("Alice's public verification code", PublicCode.Compare(code, aliceKey.PublicKey.Encoded.ToArray()) == CodeMatch.Match ? $"ok ({PublicCode.Format(code)})" : "MISMATCH"));
            bob = found.State;
            watching = MonitoredLabel.After(Alice, found);
        }

        using (var database = new SqliteLogDatabase(path))
        {
            TransparencyLog log = TransparencyLog.Open(suite, configuration, signing, vrf, new SqliteLogStore(database, suite.TreeHashes, levelsPerPage: 4));
            steps.Add(("the log reopened from its file", $"ok (stored head of size {log.Size} verified)"));
            for (int i = 0; i < 10; i++)
            {
                log.Sequence(now += 400);
            }

            VerifiedContactMonitor monitored = ContactMonitorVerifier.Verify(suite, configuration, bob, watching, log.ContactMonitor(watching.Request(bob.TreeSize)), now);
            bob = monitored.State;
            steps.Add(("Bob monitors Alice's version until a distinguished entry covers it", monitored.Label.Done ? "ok (done)" : $"ok ({monitored.Label.Map.Count} left)"));

            ulong start = Enumerable.Range(0, (int)log.Size).Select(p => (ulong)p).Reverse().First(p => Accepts(log, p));
            var init = new OwnerInitRequest(null, Alice, start);
            VerifiedOwnerInit owner = OwnerInitVerifier.Verify(suite, configuration, null, init, log.OwnerInit(init), now);
            var write = new UpdateRequest(owner.State.TreeSize, Alice, owner.Owner.GreatestVersion, [new LabelValue(Record(aliceKey, accountId, version: 1, counter: 2))]);
            VerifiedUpdate updated = UpdateVerifier.VerifyAll(suite, configuration, owner.State, owner.Owner, write, log.Update(write, now += 100), now);
            steps.Add(("Alice takes ownership from a distinguished entry and publishes a new record", updated.OthersValues.Count == 0 ? $"ok (version {updated.Owner.GreatestVersion})" : "UNEXPECTED VERSIONS"));
            for (int i = 0; i < 10; i++)
            {
                log.Sequence(now += 400);
            }

            VerifiedOwnerMonitor self = OwnerMonitorVerifier.Verify(suite, configuration, updated.State, updated.Owner, log.OwnerMonitor(OwnerMonitorVerifier.Request(updated.Owner, updated.State.TreeSize)), now);
            steps.Add(("Alice monitors her handle", self.Complete ? $"ok (checked through entry {self.Owner.Start})" : "ok (more to check)"));

            var walk = new DistinguishedRequest(null, null);
            byte[] mine = Encode(log.DistinguishedHeads(walk));
            VerifiedDistinguished own = DistinguishedVerifier.Verify(suite, configuration, null, walk, Decode(mine), now);
            ForkDecision decision = new ForkWatch(suite, configuration, maxTries: 3, gracePeriodMs: 3_600_000).Compare(own, mine, Encode(log.DistinguishedHeads(walk)), now);
            steps.Add(("Bob's device compares distinguished heads with a peer's", decision.Action == ForkAction.None ? $"ok (consistent at {own.Entries.Count} distinguished entries)" : $"FAILED ({decision.Action})"));
        }
    }

    private static byte[] Record(EcdsaP256PrivateKey accountKey, byte[] accountId, uint version, ulong counter)
    {
        byte[] key = accountKey.PublicKey.Encoded.ToArray();
        using var deviceSigning = EcdsaP256PrivateKey.Generate();
        Device device = Device.Create(accountId, key, RandomNumberGenerator.GetBytes(16), deviceSigning, EcdsaP256PrivateKey.Generate().PublicKey.Encoded.ToArray(), EcdsaP256PrivateKey.Generate().PublicKey.Encoded.ToArray());
        var record = new HandleRecord(HandleRecord.CurrentFormat, Alice, version, accountId, counter, new byte[32], CkvState.On, key, [], [device], []);
        return TlsCodec.Encode(record.SignedBy(accountKey));
    }

    private static bool Accepts(TransparencyLog log, ulong start)
    {
        try
        {
            log.OwnerInit(new OwnerInitRequest(null, Alice, start));
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static byte[] Encode(HeadAndProofResponse response)
    {
        var writer = new TlsWriter();
        response.Encode(writer, DeploymentMode.ContactMonitoring);
        return writer.ToArray();
    }

    private static HeadAndProofResponse Decode(byte[] bytes)
    {
        var reader = new TlsReader(bytes);
        HeadAndProofResponse response = HeadAndProofResponse.Decode(ref reader, DeploymentMode.ContactMonitoring);
        reader.EnsureEnd();
        return response;
    }
}
