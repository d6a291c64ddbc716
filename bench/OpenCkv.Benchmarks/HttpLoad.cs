using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using OpenCkv.Client.Http;
using OpenCkv.Client.Records;
using OpenCkv.Crypto.Signatures;
using OpenCkv.KeyTransparency;
using OpenCkv.KeyTransparency.Tls;
using OpenCkv.Protocol;
using OpenCkv.Protocol.Api;

namespace OpenCkv.Benchmarks;

/// <summary>
/// The load generator for a running `ckv server --dev` on loopback: registers devices, then for a fixed time sends
/// <c>/health</c> requests, greatest-version searches (with session tokens, responses not verified) or CKV on/off
/// changes (signed, one label-version each) from many concurrent workers over keep-alive connections, and prints
/// the rate and latency percentiles. A separate process from the server; both share this machine's cores.
/// </summary>
internal static class HttpLoad
{
    public static async Task<int> RunAsync(string[] args)
    {
        var server = new Uri(Arg(args, "--server") ?? "http://127.0.0.1:8480");
        string target = Arg(args, "--target") ?? "search";
        int devices = int.Parse(Arg(args, "--devices") ?? "32", CultureInfo.InvariantCulture);
        int concurrency = int.Parse(Arg(args, "--concurrency") ?? "64", CultureInfo.InvariantCulture);
        double seconds = double.Parse(Arg(args, "--seconds") ?? "10", CultureInfo.InvariantCulture);
        if (target == "publish" && devices < concurrency)
        {
            throw new ArgumentException("Publishing needs at least one account per worker (--devices ≥ --concurrency).");
        }

        int background = int.Parse(Arg(args, "--background") ?? "0", CultureInfo.InvariantCulture);
        string tag = Arg(args, "--tag") ?? Guid.NewGuid().ToString("N")[..8];

        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
        using var http = new HttpClient(handler) { BaseAddress = server, Timeout = TimeSpan.FromSeconds(60) };
        var client = new DirectoryClient(http);
        var accounts = new List<Account>();
        for (int i = 0; i < devices; i++)
        {
            accounts.Add(await RegisterAsync(http, client, $"mailto:load-{tag}-{i}@bench.example", twoFactor: target == "publish").ConfigureAwait(false));
        }

        // Labels searched: the registered handles and, when asked, background labels of the fixture. Each is
        // searched once first, so the VRF proofs of its ladder are cached as a served label's would be.
        string[] labels = [.. accounts.Select(a => a.Label), .. Enumerable.Range(0, background).Select(i => $"mailto:user{(long)i * 7919 % Math.Max(1, background * 10)}@example.com")];
        if (target == "search")
        {
            foreach (string label in labels)
            {
                await client.KtAsync("search", TlsCodec.Encode(new SearchRequest(null, Encoding.UTF8.GetBytes(label), null)), accounts[0].Credentials).ConfigureAwait(false);
            }
        }

        var deadline = Stopwatch.StartNew();
        var limit = TimeSpan.FromSeconds(seconds);
        var latencies = new List<double>[concurrency];
        var errors = new int[concurrency];
        var versions = new long[concurrency];
        Task[] workers = Enumerable.Range(0, concurrency).Select(w => Task.Run(async () =>
        {
            var mine = latencies[w] = new List<double>(100_000);
            var random = new Random(w);
            while (deadline.Elapsed < limit)
            {
                long start = Stopwatch.GetTimestamp();
                try
                {
                    switch (target)
                    {
                        case "health":
                            using (HttpResponseMessage response = await http.GetAsync(new Uri("/health", UriKind.Relative)).ConfigureAwait(false))
                            {
                                response.EnsureSuccessStatusCode();
                                await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
                            }

                            break;
                        case "search":
                            Account device = accounts[random.Next(accounts.Count)];
                            string label = labels[random.Next(labels.Length)];
                            await client.KtAsync("search", TlsCodec.Encode(new SearchRequest(null, Encoding.UTF8.GetBytes(label), null)), device.Credentials).ConfigureAwait(false);
                            break;
                        case "publish":
                            // Worker w owns accounts w, w + concurrency, …: no two workers change one account.
                            Account owner = accounts[w + (concurrency * (int)(versions[w] % Math.Max(1, accounts.Count / concurrency)))];
                            CkvState next = owner.Record.State == CkvState.On ? CkvState.Off : CkvState.On;
                            HandleRecord record = RecordBuilder.Next(owner.Record, owner.Record.Counter + 1, owner.Key, next);
                            await client.ChangeAsync(owner.Credentials, next == CkvState.On ? Transition.CkvOn : Transition.CkvOff, [record]).ConfigureAwait(false);
                            owner.Record = record;
                            versions[w]++;
                            break;
                        default:
                            throw new ArgumentException($"unknown target {target}");
                    }

                    mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                }
                catch (Exception e) when (e is HttpRequestException or DirectoryApiException or TaskCanceledException)
                {
                    errors[w]++;
                }
            }
        })).ToArray();
        await Task.WhenAll(workers).ConfigureAwait(false);
        double elapsed = deadline.Elapsed.TotalSeconds;
        double[] all = latencies.SelectMany(l => l).Order().ToArray();
        double P(double q) => all.Length == 0 ? double.NaN : all[Math.Min(all.Length - 1, (int)(q * all.Length))];
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"| {target} | {concurrency} | {devices} | {labels.Length:N0} | {all.Length / elapsed:N0}/s | {P(0.5):F2} | {P(0.99):F2} | {errors.Sum()} |{(target == "publish" ? $" {versions.Sum() / elapsed:N0} label-versions/s" : string.Empty)}"));
        return 0;
    }

    private static async Task<Account> RegisterAsync(HttpClient http, DirectoryClient client, string handle, bool twoFactor)
    {
        HandleCodeResponse sent = await client.RequestCodeAsync(handle).ConfigureAwait(false);
        DevCodeMessage code = (await http.GetFromJsonAsync<DevCodeMessage>(new Uri("/dev/codes/" + Uri.EscapeDataString(handle), UriKind.Relative)).ConfigureAwait(false))!;
        byte[] accountId = System.Security.Cryptography.RandomNumberGenerator.GetBytes(16);
        var key = EcdsaP256PrivateKey.Generate();
        var device = DeviceKeys.Generate();
        HandleRecord first = RecordBuilder.First(sent.Label, accountId, key, [device.EntryFor(accountId, key.PublicKey.Encoded.ToArray())]);
        await client.RegisterAsync(new RegisterRequest(handle, code.Code, new DeviceFactsMessage("bench", "desktop", "15.0", 1, true, true), Convert.ToBase64String(TlsCodec.Encode(first)))).ConfigureAwait(false);
        var account = new Account(sent.Label, new DeviceCredentials(accountId, device.DeviceId, device.Request), key, first);
        if (twoFactor)
        {
            TwoFactorEnrollment enrollment = await client.BeginTwoFactorAsync(account.Credentials).ConfigureAwait(false);
            await client.ConfirmTwoFactorAsync(account.Credentials, new OtpNet.Totp(OtpNet.Base32Encoding.ToBytes(enrollment.Secret)).ComputeTotp()).ConfigureAwait(false);
        }

        return account;
    }

    private static string? Arg(string[] args, string name)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }

    private sealed class Account(string label, DeviceCredentials credentials, EcdsaP256PrivateKey key, HandleRecord record)
    {
        public string Label { get; } = label;

        public DeviceCredentials Credentials { get; } = credentials;

        public EcdsaP256PrivateKey Key { get; } = key;

        public HandleRecord Record { get; set; } = record;
    }
}
