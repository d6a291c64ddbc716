using OpenCkv.KeyTransparency.Logs;
using OpenCkv.KeyTransparency.Search;
using OpenCkv.KeyTransparency.Tests.Search;
using OpenCkv.KeyTransparency.Tls;
using OpenCkv.KeyTransparency.Verification;

namespace OpenCkv.KeyTransparency.Tests.Monitoring;

/// <summary>
/// Contact monitoring (KT §8.2, §13.2) over randomized histories: clients look labels up, monitor what the draft
/// obliges them to, go offline for long stretches and come back; an honest log always verifies, monitoring ends
/// once a distinguished entry covers each version, and mutated responses are rejected.
/// </summary>
public sealed class ContactMonitoringTests
{
    private sealed class Client
    {
        public ClientState? State { get; set; }

        public Dictionary<int, MonitoredLabel> Monitored { get; } = [];

        public int OfflineUntil { get; set; }
    }

    [Theory]
    [InlineData(11)]
    [InlineData(22)]
    [InlineData(33)]
    public void Honest_histories_verify_and_monitoring_ends_at_distinguished_entries(int seed)
    {
        var random = new Random(seed);
        ulong window = (ulong)random.Next(200, 3_000);
        TransparencyLog log = LogFixture.NewLog(reasonableMonitoringWindow: window, paged: seed % 2 == 0);
        var clients = Enumerable.Range(0, 6).Select(_ => new Client()).ToArray();
        var published = new HashSet<int>();
        var pending = new List<int>();
        var versions = new Dictionary<int, int>();
        ulong now = 1_000_000;
        int monitorPasses = 0, started = 0, mutationsRejected = 0;

        for (int step = 0; step < 400; step++)
        {
            now += (ulong)random.Next(0, 80);
            for (int u = random.Next(0, 4); u > 0; u--)
            {
                int label = random.Next(0, 30);
                log.Stage(LogFixture.Label(label), BitConverter.GetBytes(random.NextInt64()));
                pending.Add(label);
            }

            log.Sequence(now);
            foreach (int label in pending)
            {
                published.Add(label);
                versions[label] = versions.GetValueOrDefault(label) + 1;
            }

            pending.Clear();
            Client client = clients[random.Next(clients.Length)];
            if (client.OfflineUntil > step || published.Count == 0)
            {
                continue;
            }

            if (random.Next(0, 20) == 0)
            {
                client.OfflineUntil = step + random.Next(20, 150); // a long stretch offline
            }

            if (random.Next(0, 2) == 0)
            {
                int label = published.ElementAt(random.Next(published.Count));
                versions.TryGetValue(label, out int count);
                uint? fixedVersion = random.Next(0, 3) == 0 ? (uint)random.Next(0, count) : null; // some look up an older version
                var request = new SearchRequest(client.State?.TreeSize, LogFixture.Label(label), fixedVersion);
                VerifiedSearch result = SearchVerifier.Verify(LogFixture.Suite, log.Configuration, client.State, request, log.Search(request), now);
                client.State = result.State;
                if (result.MustMonitor)
                {
                    client.Monitored[label] = client.Monitored.TryGetValue(label, out MonitoredLabel? existing)
                        ? existing.With(result)
                        : MonitoredLabel.After(LogFixture.Label(label), result);
                    started++;
                }
            }
            else if (client.Monitored.Count > 0)
            {
                int label = client.Monitored.Keys.ElementAt(random.Next(client.Monitored.Count));
                MonitoredLabel monitored = client.Monitored[label];
                ContactMonitorRequest request = monitored.Request(client.State?.TreeSize);
                byte[] encoded = Wire.Encode(log.ContactMonitor(request), log);
                VerifiedContactMonitor result = Verify(log, client.State, monitored, encoded, now);
                monitorPasses++;
                Assert.All(result.Label.Map, e => Assert.True(e.Position >= monitored.Map.Min(m => m.Position)));

                byte[] mutated = (byte[])encoded.Clone();
                mutated[random.Next(mutated.Length)] ^= (byte)random.Next(1, 256);
                if (Rejection.Rejected(() => Verify(log, client.State, monitored, mutated, now)))
                {
                    mutationsRejected++;
                }

                client.State = result.State;
                if (result.Label.Done)
                {
                    client.Monitored.Remove(label);
                }
                else
                {
                    client.Monitored[label] = result.Label;
                }
            }
        }

        Assert.True(started > 10, $"only {started} searches obliged monitoring");
        Assert.True(monitorPasses > 20, $"only {monitorPasses} monitoring passes");
        Assert.Equal(monitorPasses, mutationsRejected);

        // Long after the last update, with distinguished entries to the right of everything, every map empties.
        for (int i = 0; i < 6; i++)
        {
            log.Sequence(now += window * 4);
        }

        foreach (Client client in clients)
        {
            foreach (MonitoredLabel monitored in client.Monitored.Values)
            {
                VerifiedContactMonitor result = Verify(log, client.State, monitored, Wire.Encode(log.ContactMonitor(monitored.Request(client.State?.TreeSize)), log), now);
                client.State = result.State;
                Assert.True(result.Label.Done, $"still monitoring {string.Join(", ", result.Label.Map)}");
            }
        }
    }

    internal static VerifiedContactMonitor Verify(TransparencyLog log, ClientState? state, MonitoredLabel monitored, byte[] encoded, ulong now)
    {
        return ContactMonitorVerifier.Verify(LogFixture.Suite, log.Configuration, state, monitored, Wire.Decode(encoded, log), now);
    }

}
