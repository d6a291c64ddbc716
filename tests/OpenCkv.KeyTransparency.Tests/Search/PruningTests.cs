using OpenCkv.Crypto.Signatures;
using OpenCkv.Crypto.Vrf;
using OpenCkv.KeyTransparency.Logs;
using OpenCkv.KeyTransparency.Logs.Storage;
using OpenCkv.KeyTransparency.Search;

namespace OpenCkv.KeyTransparency.Tests.Search;

/// <summary>
/// Pruning by maximum lifetime (KT §7.1): exactly the versions the log answers as expired lose their openings and
/// values; every other version, and every label's greatest, still verifies; a log without a lifetime prunes nothing.
/// </summary>
public sealed class PruningTests
{
    private static readonly EcdsaP256PrivateKey Signing = EcdsaP256PrivateKey.Generate();
    private static readonly VrfKeyPair Vrf = LogFixture.Suite.Vrf.GenerateKeyPair();

    private static Configuration Config(ulong? lifetime) => new()
    {
        Mode = DeploymentMode.ContactMonitoring,
        SignaturePublicKey = Signing.PublicKey.Encoded.ToArray(),
        VrfPublicKey = Vrf.PublicKey.ToArray(),
        MaxAhead = 60_000,
        MaxBehind = 100_000_000,
        ReasonableMonitoringWindow = 1_000,
        MaximumLifetime = lifetime,
    };

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public void Exactly_the_expired_versions_are_pruned_and_everything_else_still_verifies(int seed)
    {
        var random = new Random(seed);
        var store = new InMemoryLogStore(LogFixture.Suite.TreeHashes);
        TransparencyLog log = TransparencyLog.Create(LogFixture.Suite, Config(5_000), Signing, Vrf, store);
        ulong now = 1_000_000;
        var counts = new Dictionary<int, int>();
        for (int entry = 0; entry < 120; entry++)
        {
            for (int u = random.Next(0, 3); u > 0; u--)
            {
                int label = random.Next(0, 8);
                log.Stage(LogFixture.Label(label), [(byte)entry]);
                counts[label] = counts.GetValueOrDefault(label) + 1;
            }

            log.Sequence(now += (ulong)random.Next(50, 250));
        }

        // The slow reference: the log's own answer to a fixed-version search, before pruning.
        var expired = new HashSet<(int Label, uint Version)>();
        foreach ((int label, int count) in counts)
        {
            for (uint v = 0; v + 1 < count; v++)
            {
                try
                {
                    log.Search(new SearchRequest(null, LogFixture.Label(label), v));
                }
                catch (ArgumentException)
                {
                    expired.Add((label, v));
                }
            }
        }

        Assert.NotEmpty(expired);
        Assert.Equal(expired.Count, log.PruneExpired());
        Assert.Equal(0, log.PruneExpired());
        foreach ((int label, int count) in counts)
        {
            IReadOnlyList<PublishedVersion> stored = store.Versions(LogFixture.Label(label));
            for (uint v = 0; v < count; v++)
            {
                Assert.Equal(expired.Contains((label, v)), stored[(int)v].Opening.Length == 0);
                if (!expired.Contains((label, v)))
                {
                    var request = new SearchRequest(null, LogFixture.Label(label), v);
                    Assert.Equal(v, SearchVerifier.Verify(LogFixture.Suite, log.Configuration, null, request, log.Search(request), now).Version);
                }
            }

            var greatest = new SearchRequest(null, LogFixture.Label(label), null);
            Assert.Equal((uint)(count - 1), SearchVerifier.Verify(LogFixture.Suite, log.Configuration, null, greatest, log.Search(greatest), now).Version);
        }
    }

    [Fact]
    public void A_log_without_a_maximum_lifetime_prunes_nothing()
    {
        TransparencyLog log = TransparencyLog.Create(LogFixture.Suite, Config(null), Signing, Vrf);
        LogFixture.PublishRoundRobin(log, 50, 2, 1_000_000, 10_000);
        Assert.Equal(0, log.PruneExpired());
    }
}
