using System.Net;
using System.Text;

namespace OpenCkv.Server.Tests;

/// <summary>Malformed, oversized and unknown input: a clear problem, never a 500, nothing written.</summary>
public sealed class BadInputTests
{
    public static TheoryData<string, string, string, string, int> Cases => new()
    {
        { "POST", "/v1/handles/code", "application/json", "{", 400 },
        { "POST", "/v1/handles/code", "application/json", "{\"handle\":\"tel:12345\"}", 400 },
        { "POST", "/v1/handles/code", "application/json", "{\"handle\":\"a@b\"}", 400 },
        { "POST", "/v1/handles/code", "application/json", "{\"handle\":\"x@example.com\",\"extra\":1}", 400 },
        { "POST", "/v1/handles/code", "application/json", "", 400 },
        { "POST", "/v1/handles/code", "text/plain", "{\"handle\":\"x@example.com\"}", 415 },
        { "POST", "/v1/accounts", "application/json", "{\"handle\":\"mailto:x@example.com\",\"code\":\"1\",\"device\":null,\"record\":\"AA\"}", 400 },
        { "POST", "/v1/accounts", "application/json", "{\"handle\":\"mailto:x@example.com\",\"code\":\"1\",\"device\":{\"name\":\"p\",\"platform\":\"toaster\",\"softwareVersion\":\"1\",\"protocolVersion\":1,\"passcode\":true,\"keychain\":true},\"record\":\"AA\"}", 400 },
        { "POST", "/v1/accounts", "application/json", "{\"handle\":\"mailto:x@example.com\",\"code\":\"1\",\"device\":{\"name\":\"p\",\"platform\":\"phone\",\"softwareVersion\":\"1.x\",\"protocolVersion\":1,\"passcode\":true,\"keychain\":true},\"record\":\"AA\"}", 400 },
        { "POST", "/v1/accounts", "application/json", "{\"handle\":\"mailto:x@example.com\",\"code\":\"1\",\"device\":{\"name\":\"p\",\"platform\":\"phone\",\"softwareVersion\":\"17.2\",\"protocolVersion\":1,\"passcode\":true,\"keychain\":true},\"record\":\"!!\"}", 400 },
        { "POST", "/v1/kt/search", "application/octet-stream", "\u0002", 401 },
        { "POST", "/v1/kt/monitor", "application/octet-stream", "\u0002", 401 },
        { "POST", "/v1/kt/distinguished", "application/octet-stream", "\u0001\u0000\u0000\u0000\u0000\u0000\u0000\u0003\u0009\u0000", 400 },
        { "POST", "/v1/kt/distinguished", "application/octet-stream", "\u0001\u0000\u0000\u0000\u0000\u0000\u0001\u0000\u0000\u0000", 400 },
        { "POST", "/v1/kt/owner-init", "application/octet-stream", "", 401 },
        { "GET", "/v1/log/entries?limit=0", "", "", 400 },
        { "GET", "/v1/log/entries?from=-1", "", "", 400 },
        { "GET", "/v1/log/heads?limit=5000", "", "", 400 },
        { "GET", "/v1/log/auditor-updates?from=zz", "", "", 400 },
        { "POST", "/v1/log/auditor-head", "application/octet-stream", "", 400 },
        { "POST", "/v1/sessions", "", "", 401 },
        { "GET", "/v1/account", "", "", 401 },
        { "DELETE", "/v1/account", "", "", 401 },
        { "PATCH", "/v1/account", "", "", 405 },
        { "GET", "/v1/nothing", "", "", 404 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Bad_input_gets_a_problem_with_the_right_status(string method, string path, string contentType, string body, int status)
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync();
        ulong before = await server.TreeSizeAsync();
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (contentType.Length > 0)
        {
            request.Content = new ByteArrayContent(Encoding.Latin1.GetBytes(body));
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        }

        using HttpResponseMessage response = await server.Http.SendAsync(request);
        Assert.Equal((HttpStatusCode)status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(before, await server.TreeSizeAsync());
    }

    [Fact]
    public async Task An_oversized_body_is_refused_with_413()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync(o => o with { MaxBodyBytes = 4096 });
        var big = new string('a', 10_000);

        // Expect: 100-continue, so the refusal arrives before the body is sent (a server that refuses a body it will
        // not read closes the connection after answering).
        using var content = new StringContent($"{{\"handle\":\"{big}@example.com\"}}", Encoding.UTF8, "application/json");
        using var announced = new HttpRequestMessage(HttpMethod.Post, "/v1/handles/code") { Content = content };
        announced.Headers.ExpectContinue = true;
        using HttpResponseMessage response = await server.Http.SendAsync(announced);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);

        // Chunked, so the length is not announced up front.
        using var chunked = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(big)));
        chunked.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/handles/code") { Content = chunked };
        request.Headers.TransferEncodingChunked = true;
        request.Headers.ExpectContinue = true;
        using HttpResponseMessage second = await server.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, second.StatusCode);
    }

    [Fact]
    public async Task Code_requests_from_one_address_are_rate_limited()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync(o => o with { SensitivePerMinute = 3 });
        var statuses = new List<HttpStatusCode>();
        for (int i = 0; i < 5; i++)
        {
            using var content = new StringContent($"{{\"handle\":\"mailto:u{i}@example.com\"}}", Encoding.UTF8, "application/json");
            using HttpResponseMessage response = await server.Http.PostAsync(new Uri("/v1/handles/code", UriKind.Relative), content);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.NotNull(response.Headers.RetryAfter);
            }
        }

        Assert.Equal([HttpStatusCode.Accepted, HttpStatusCode.Accepted, HttpStatusCode.Accepted, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
    }
}
