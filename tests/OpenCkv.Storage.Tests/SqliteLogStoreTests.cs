using System.Security.Cryptography;
using OpenCkv.Crypto;
using OpenCkv.Crypto.Signatures;
using OpenCkv.Crypto.Vrf;
using OpenCkv.KeyTransparency;
using OpenCkv.KeyTransparency.Logs;
using OpenCkv.KeyTransparency.Logs.Storage;
using OpenCkv.KeyTransparency.Search;
using OpenCkv.KeyTransparency.Trees;
using OpenCkv.KeyTransparency.Trees.Paged;
using OpenCkv.KnownAnswers;
using OpenCkv.Storage.Sqlite;

namespace OpenCkv.Storage.Tests;

/// <summary>
/// The SQLite store against the in-memory one: the same history gives the same signed heads and the same
/// answers, clients verify across a close and reopen of the file, and a refused step leaves the file as it was.
/// </summary>
public sealed class SqliteLogStoreTests : IDisposable
{
    private static readonly CryptoSuite Suite = CryptoSuite.Fastest;
    private readonly string _folder = System.IO.Directory.CreateTempSubdirectory("openckv-sqlite-").FullName;
    private readonly byte[] _signingScalar = RandomNumberGenerator.GetBytes(32);
    private readonly VrfKeyPair _vrf = Suite.Vrf.GenerateKeyPair();

    public void Dispose()
    {
        _vrf.Dispose();
        System.IO.Directory.Delete(_folder, recursive: true);
    }

    private Configuration Config(EcdsaP256PrivateKey signing) => new()
    {
        Mode = DeploymentMode.ContactMonitoring,
        SignaturePublicKey = signing.PublicKey.Encoded.ToArray(),
        VrfPublicKey = _vrf.PublicKey.ToArray(),
        MaxAhead = 60_000,
        MaxBehind = 100_000_000,
        ReasonableMonitoringWindow = 1_000,
        MaximumLifetime = null,
    };

    /// <summary>A log over <paramref name="store"/> with reproducible openings and signatures, so two stores can be compared.</summary>
    private TransparencyLog Log(ILogStore store, bool reopen = false)
    {
        _signingScalar[0] &= 0x7f;
        var signing = EcdsaP256PrivateKey.Import(_signingScalar);
        TransparencyLog log = reopen
            ? TransparencyLog.Open(Suite, Config(signing), signing, _vrf, store)
            : TransparencyLog.Create(Suite, Config(signing), signing, _vrf, store);
        if (!reopen)
        {
            log.UseDeterministicSources(
                (label, version) => SHA256.HashData([.. label, .. BitConverter.GetBytes(version)])[..16],
                message => DeterministicEcdsa.Sign(_signingScalar, message));
        }

        return log;
    }

    private static ulong Publish(TransparencyLog log, Random random, int entries, ulong now)
    {
        for (int i = 0; i < entries; i++)
        {
            for (int u = random.Next(0, 6); u > 0; u--)
            {
                log.Stage(System.Text.Encoding.ASCII.GetBytes($"mailto:user{random.Next(0, 50)}@example.com"), [(byte)i, (byte)u]);
            }

            log.Sequence(now += (ulong)random.Next(0, 300));
        }

        return now;
    }

    [Fact]
    public void The_same_history_gives_the_same_heads_and_answers_in_both_stores_and_survives_a_reopen()
    {
        string path = Path.Combine(_folder, "log.db");
        var memory = new InMemoryLogStore(Suite.TreeHashes, new PagedPrefixVersions(Suite.TreeHashes, new InMemoryPrefixPageTable(), 4));
        TransparencyLog inMemory = Log(memory);
        ClientState? client = null;
        ulong now;
        var request = new SearchRequest(null, "mailto:user7@example.com"u8.ToArray(), null);
        using (var database = new SqliteLogDatabase(path))
        {
            TransparencyLog onDisk = Log(new SqliteLogStore(database, Suite.TreeHashes, levelsPerPage: 4));
            now = Publish(inMemory, new Random(5), 120, 1_000_000);
            Publish(onDisk, new Random(5), 120, 1_000_000);
            Assert.Equal(inMemory.Head, onDisk.Head);
            SearchResponse fromDisk = onDisk.Search(request);
            Assert.Equal(Encode(inMemory.Search(request)), Encode(fromDisk));
            client = SearchVerifier.Verify(Suite, onDisk.Configuration, null, request, fromDisk, now).State;
        }

        // Closed and reopened: the log checks the stored head, carries on, and the client follows it.
        using (var database = new SqliteLogDatabase(path))
        {
            TransparencyLog reopened = Log(new SqliteLogStore(database, Suite.TreeHashes, levelsPerPage: 4), reopen: true);
            Assert.Equal(inMemory.Head, reopened.Head);
            reopened.Stage("mailto:user7@example.com"u8.ToArray(), [9, 9]);
            reopened.Sequence(now += 100);
            var again = new SearchRequest(client.TreeSize, request.Label, null);
            VerifiedSearch result = SearchVerifier.Verify(Suite, reopened.Configuration, client, again, reopened.Search(again), now);
            Assert.Equal([9, 9], result.Value.Value);
        }
    }

    [Fact]
    public void A_refused_step_leaves_the_file_as_it_was()
    {
        using var database = new SqliteLogDatabase(Path.Combine(_folder, "refused.db"));
        var store = new SqliteLogStore(database, Suite.TreeHashes);
        TransparencyLog log = Log(store);
        ulong now = Publish(log, new Random(9), 5, 1_000_000);
        StoredEntry last = store.Entry(4);
        byte[] label = "mailto:someone@example.com"u8.ToArray();
        var wrong = new PublishedVersion(3, 5, Hash32.Zero, Hash32.Zero, new byte[16], new UpdateValue([1], null));

        // A version that does not follow the label's (it has none), and a step that is not the next one.
        Assert.Throws<ArgumentException>(() => store.Commit(new SequencedStep(5, last, Hash32.Zero, [new PublishedLabelVersion(label, wrong)], new TreeHead(6, new byte[64]))));
        Assert.Throws<ArgumentException>(() => store.Commit(new SequencedStep(7, last, Hash32.Zero, [], new TreeHead(8, new byte[64]))));
        Assert.Equal(5UL, store.Size);
        Assert.Equal(5UL, store.LogTree.Size);
        Assert.Empty(store.Versions(label));
        log.Sequence(now + 1); // and the log carries on
        Assert.Equal(6UL, store.Size);
    }

    private static byte[] Encode(SearchResponse response)
    {
        var writer = new KeyTransparency.Tls.TlsWriter();
        response.Encode(writer, versionRequested: false, DeploymentMode.ContactMonitoring);
        return writer.ToArray();
    }
}
