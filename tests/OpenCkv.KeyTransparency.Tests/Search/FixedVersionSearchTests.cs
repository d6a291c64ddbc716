using CsCheck;
using OpenCkv.KeyTransparency.Logs;
using OpenCkv.KeyTransparency.Search;
using OpenCkv.KeyTransparency.Tls;

namespace OpenCkv.KeyTransparency.Tests.Search;

/// <summary>Fixed-version search (KT §7) over randomized histories, with and without a maximum lifetime.</summary>
public sealed class FixedVersionSearchTests
{
    [Fact]
    public void Every_ladder_lookup_for_a_target_is_among_the_versions_whose_vrf_proofs_the_response_carries()
    {
        Gen.Select(Gen.UInt[0, 3000], Gen.UInt[0, 3000]).Sample((target, greatest) =>
            Assert.Subset(BinaryLadder.Search(target, target).ToHashSet(), BinaryLadder.Search(target, greatest).ToHashSet()), iter: 5000);
    }

    [Theory]
    [InlineData(11, null)]
    [InlineData(12, 2_000UL)]
    [InlineData(13, 6_000UL)]
    public void Honest_logs_answer_every_version_they_can_prove_and_clients_accept_exactly_those(int seed, ulong? lifetime)
    {
        var random = new Random(seed);
        TransparencyLog log = LogFixture.NewLog(reasonableMonitoringWindow: 500, maximumLifetime: lifetime);
        var values = new Dictionary<int, List<byte[]>>();
        ulong now = 1_000_000;
        var states = new Dictionary<int, ClientState?>();
        int answered = 0, refused = 0;

        for (int step = 0; step < 120; step++)
        {
            now += (ulong)random.Next(0, 200);
            if (random.Next(0, 3) > 0)
            {
                int label = random.Next(0, 6);
                byte[] value = BitConverter.GetBytes(random.NextInt64());
                log.Stage(LogFixture.Label(label), value);
                (values.TryGetValue(label, out var list) ? list : values[label] = []).Add(value);
            }

            log.Sequence(now);
            if (values.Count == 0 || random.Next(0, 2) == 0)
            {
                continue;
            }

            int asked = values.Keys.ElementAt(random.Next(values.Count));
            var version = (uint)random.Next(values[asked].Count);
            states.TryGetValue(asked, out ClientState? state);
            var request = new SearchRequest(state?.TreeSize, LogFixture.Label(asked), version);
            SearchResponse response;
            try
            {
                response = log.Search(request);
            }
            catch (ArgumentException) when (lifetime is not null)
            {
                refused++; // expired: the log cannot prove it, and says so instead of answering
                continue;
            }

            var writer = new TlsWriter();
            response.Encode(writer, versionRequested: true, log.Configuration.Mode);
            var reader = new TlsReader(writer.WrittenSpan);
            SearchResponse decoded = SearchResponse.Decode(ref reader, versionRequested: true, log.Configuration.Mode);
            reader.EnsureEnd();

            VerifiedSearch verified = SearchVerifier.Verify(LogFixture.Suite, log.Configuration, state, request, decoded, now);
            Assert.Equal(version, verified.Version);
            Assert.Equal(values[asked][(int)version], verified.Value.Value);
            states[asked] = verified.State;
            answered++;
        }

        Assert.True(answered > 20, $"only {answered} searches were answered");
        if (lifetime is null)
        {
            Assert.Equal(0, refused);
        }
        else
        {
            Assert.True(refused > 0, "the history never reached an expired version; the expiry path went untested");
        }
    }
}
