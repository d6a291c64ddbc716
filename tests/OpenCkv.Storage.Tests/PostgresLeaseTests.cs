using OpenCkv.Crypto;
using OpenCkv.Crypto.Signatures;
using OpenCkv.Crypto.Vrf;
using OpenCkv.KeyTransparency;
using OpenCkv.KeyTransparency.Logs;
using OpenCkv.KeyTransparency.Logs.Storage;
using OpenCkv.KeyTransparency.Search;
using OpenCkv.Storage.Postgres;

namespace OpenCkv.Storage.Tests;

/// <summary>
/// The sequencer lease on a shared PostgreSQL log (DESIGN §7): one holder at a time, a new epoch on takeover, and
/// every commit fenced by the epoch in its own transaction — so a writer paused past its lease, even one paused
/// between a commit and its signature, cannot add an entry after another writer took over, and the log stays one.
/// </summary>
public sealed class PostgresLeaseTests : IDisposable
{
    private static readonly CryptoSuite Suite = CryptoSuite.Fastest;
    private readonly PostgresTestDatabase _database = new();
    private readonly EcdsaP256PrivateKey _signing = EcdsaP256PrivateKey.Generate();
    private readonly VrfKeyPair _vrf = Suite.Vrf.GenerateKeyPair();
    private readonly List<IDisposable> _opened = [];

    private Configuration Config => new()
    {
        Mode = DeploymentMode.ContactMonitoring,
        SignaturePublicKey = _signing.PublicKey.Encoded.ToArray(),
        VrfPublicKey = _vrf.PublicKey.ToArray(),
        MaxAhead = 60_000,
        MaxBehind = 100_000_000,
        ReasonableMonitoringWindow = 1_000,
        MaximumLifetime = null,
    };

    [Fact]
    public void One_holder_at_a_time_and_a_takeover_only_after_expiry_with_a_new_epoch()
    {
        (PostgresLogStore a, PostgresSequencerLease leaseA) = Writer("a");
        (_, PostgresSequencerLease leaseB) = Writer("b");
        Assert.Null(leaseA.Current());
        Assert.True(leaseA.TryAcquire());
        Assert.False(leaseB.TryAcquire());
        Assert.Equal(new LeaseHolder("a", 1, "http://a", Live: true), leaseB.Current());
        Assert.True(leaseA.Renew());
        Assert.False(leaseB.Renew()); // never held

        Assert.False(leaseB.TryAcquire());
        ExpireLease();
        Assert.False(leaseB.Current()!.Live);
        Assert.True(leaseB.TryAcquire());
        Assert.Equal(2, leaseB.Epoch);
        Assert.False(leaseA.Renew());
        Assert.Null(leaseA.Epoch);
        Assert.Throws<FencedOutException>(() => a.Commit(new SequencedStep(0, new StoredEntry(1, a.PrefixVersions.Empty), Hash32.Zero, [])));
        Assert.Equal(0UL, a.Size);

        leaseB.Release(); // a graceful stop hands the lease on at once
        Assert.True(leaseA.TryAcquire());
        Assert.Equal(3, leaseA.Epoch);
    }

    [Fact]
    public void A_writer_paused_past_its_lease_commits_nothing_and_the_next_writer_signs_the_head_it_left()
    {
        (PostgresLogStore storeA, PostgresSequencerLease leaseA) = Writer("a");
        (PostgresLogStore storeB, PostgresSequencerLease leaseB) = Writer("b");
        Assert.True(leaseA.TryAcquire());
        var signerA = new StoppingSigner(_signing) { StopAt = 4 };
        TransparencyLog logA = TransparencyLog.Create(Suite, Config, signerA, _vrf, storeA);
        ulong now = 1_000_000;
        for (int i = 0; i < 4; i++)
        {
            logA.Stage("mailto:alice@example.com"u8.ToArray(), [(byte)i]);
            if (i < 3)
            {
                logA.Sequence(now += 10);
            }
        }

        // Entry 3 commits, and the writer stops before signing it: a pause at the worst moment.
        Assert.Throws<OperationCanceledException>(() => logA.Sequence(now += 10));
        Assert.Equal(4UL, storeA.Size);
        Assert.Equal(3UL, storeA.SignedSize);

        ExpireLease(); // the pause outlasts the lease
        Assert.True(leaseB.TryAcquire());
        TransparencyLog logB = TransparencyLog.Open(Suite, Config, _signing, _vrf, storeB);
        Assert.Equal(3UL, logB.Size); // only signed entries are served
        Assert.Equal(4UL, logB.Refresh(completeHead: true));

        // The old writer wakes: it cannot add anything, and storing its late signature of entry 3 changes nothing.
        signerA.StopAt = ulong.MaxValue;
        byte[] stored = storeB.Head(4).Signature;
        storeA.StoreHead(new TreeHead(4, _signing.Sign(signerA.Pending!)));
        Assert.Equal(stored, storeB.Head(4).Signature);
        logA = TransparencyLog.Open(Suite, Config, signerA, _vrf, storeA);
        logA.Refresh(completeHead: false);
        logA.Stage("mailto:alice@example.com"u8.ToArray(), [66]);
        Assert.Throws<FencedOutException>(() => logA.Sequence(now += 10));
        storeB.Refresh();
        Assert.Equal(4UL, storeB.Size);

        logB.Stage("mailto:alice@example.com"u8.ToArray(), [77]);
        logB.Sequence(now += 10);
        var request = new SearchRequest(null, "mailto:alice@example.com"u8.ToArray(), null);
        VerifiedSearch found = SearchVerifier.Verify(Suite, Config, null, request, logB.Search(request), now);
        Assert.Equal([77], found.Value.Value);
        Assert.Equal(4u, found.Version);
        Assert.Equal(5UL, found.State.TreeSize);
    }

    private (PostgresLogStore Store, PostgresSequencerLease Lease) Writer(string holder)
    {
        var database = new PostgresLogDatabase(_database.ConnectionString, _database.Schema);
        var store = new PostgresLogStore(database, Suite.TreeHashes);
        _opened.Add(database);
        return (store, store.UseLease(holder, "http://" + holder, TimeSpan.FromMinutes(5)));
    }

    /// <summary>Moves the lease's expiry into the past, as a holder paused longer than its lease would find it.</summary>
    private void ExpireLease()
    {
        using var data = Npgsql.NpgsqlDataSource.Create(_database.ConnectionString);
        using Npgsql.NpgsqlCommand command = data.CreateCommand(
            $"UPDATE \"{_database.Schema}\".sequencer_lease SET expires_at = clock_timestamp() - interval '1 second'");
        Assert.Equal(1, command.ExecuteNonQuery());
    }

    /// <summary>Signs with the key, except at <see cref="StopAt"/>, where the process "stops" before signing.</summary>
    private sealed class StoppingSigner(EcdsaP256PrivateKey key) : ITreeHeadSigner
    {
        public byte[] PublicKey { get; } = key.PublicKey.Encoded.ToArray();

        public ulong StopAt { get; set; } = ulong.MaxValue;

        public byte[]? Pending { get; private set; }

        public byte[] Sign(ulong treeSize, byte[] toBeSigned)
        {
            if (treeSize == StopAt)
            {
                Pending = toBeSigned;
                throw new OperationCanceledException("paused");
            }

            return key.Sign(toBeSigned);
        }
    }

    public void Dispose()
    {
        foreach (IDisposable opened in _opened)
        {
            opened.Dispose();
        }

        _signing.Dispose();
        _vrf.Dispose();
        _database.Dispose();
    }
}
