using OpenCkv.KeyTransparency.Logs;
using OpenCkv.KeyTransparency.Search;
using OpenCkv.KeyTransparency.Tls;
using OpenCkv.KeyTransparency.Verification;

namespace OpenCkv.KeyTransparency.Tests.Search;

/// <summary>
/// Long randomized histories — thousands of updates over many labels, random monitoring windows and lifetimes,
/// clients that join late and stay away — in which every honest answer verifies, and a random sample of byte
/// mutations of those answers is rejected.
/// </summary>
public sealed class LongHistoryTests
{
    [Theory]
    [InlineData(101, false)]
    [InlineData(202, false)]
    [InlineData(303, true)]
    public void Thousands_of_updates_verify_and_sampled_mutations_are_rejected(int seed, bool paged)
    {
        var random = new Random(seed);
        ulong window = (ulong)random.Next(0, 3_000);
        ulong? lifetime = random.Next(2) == 0 ? null : window + (ulong)random.Next(1, 20_000);
        TransparencyLog log = LogFixture.NewLog(reasonableMonitoringWindow: window, maximumLifetime: lifetime, paged: paged);
        var latest = new Dictionary<int, byte[]>();
        var states = new Dictionary<int, ClientState?>();
        ulong now = 1_000_000;
        int updates = 0, verified = 0, mutationsRejected = 0;

        while (updates < 2_000)
        {
            now += (ulong)random.Next(0, 100);
            for (int u = random.Next(0, 30); u > 0; u--, updates++)
            {
                int label = random.Next(0, 200);
                latest[label] = BitConverter.GetBytes(random.NextInt64());
                log.Stage(LogFixture.Label(label), latest[label]);
            }

            log.Sequence(now);
            if (latest.Count == 0 || random.Next(0, 2) != 0)
            {
                continue;
            }

            int asked = latest.Keys.ElementAt(random.Next(latest.Count));
            states.TryGetValue(asked, out ClientState? state);
            var request = new SearchRequest(state?.TreeSize, LogFixture.Label(asked), null);
            var writer = new TlsWriter();
            log.Search(request).Encode(writer, versionRequested: false, log.Configuration.Mode);
            byte[] encoded = writer.ToArray();

            VerifiedSearch result = Verify(log, state, request, encoded, now);
            Assert.Equal(latest[asked], result.Value.Value);
            states[asked] = result.State;
            verified++;

            byte[] mutated = (byte[])encoded.Clone();
            mutated[random.Next(mutated.Length)] ^= (byte)random.Next(1, 256);
            if (Rejection.Rejected(() => Verify(log, state, request, mutated, now)))
            {
                mutationsRejected++;
            }
        }

        Assert.Equal(verified, mutationsRejected);
        Assert.True(verified > 40, $"only {verified} searches");
    }

    private static VerifiedSearch Verify(TransparencyLog log, ClientState? state, SearchRequest request, byte[] encoded, ulong now)
    {
        var reader = new TlsReader(encoded);
        SearchResponse response = SearchResponse.Decode(ref reader, versionRequested: false, log.Configuration.Mode);
        reader.EnsureEnd();
        return SearchVerifier.Verify(LogFixture.Suite, log.Configuration, state, request, response, now);
    }
}
