//! Fetches a post's comments from a ForumMagnum forum's GraphQL API over HTTPS: a blocking
//! client (ureq, rustls), a timeout, one page of comments at a time.
//!
//! It returns the raw answers; reading them is `forum`'s job, exactly as for a saved file.

use std::time::Duration;

use crate::diagnostic::{Diagnostic, SourceFile};

/// Comments asked for per request; the server may send fewer. Pages are joined.
pub const PAGE: usize = 500;
/// A thread longer than this many pages is not a thread (or the server ignores `offset`).
const MAX_PAGES: usize = 200;
/// Per request, connect to last byte.
const TIMEOUT: Duration = Duration::from_secs(60);
/// Largest answer read (a 500-comment page is a few MB).
const MAX_BYTES: u64 = 64 << 20;

/// The fields read, as named in the `CommentsList` fragment of ForumMagnum's
/// `packages/lesswrong/lib/collections/comments/fragments.ts`.
pub const QUERY: &str = "query QuireImport($postId: String!, $limit: Int, $offset: Int) { \
comments(selector: {postCommentsOld: {postId: $postId}}, limit: $limit, offset: $offset) { \
results { _id postId parentCommentId topLevelCommentId postedAt deleted deletedPublic \
hideAuthor user { displayName } baseScore afBaseScore extendedScore af votingSystem \
contents { html } } } }";

/// A post on a forum: where its GraphQL API is and which post.
#[derive(Debug, Clone)]
pub struct Post {
    pub endpoint: String,
    pub post_id: String,
    pub host: String,
}

/// Reads `https://HOST/posts/ID/slug` (any ForumMagnum forum).
pub fn parse_post_url(url: &str) -> Result<Post, String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| format!("`{url}` is not an http(s) URL"))?;
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let mut parts = path.split('/').filter(|p| !p.is_empty());
    let post_id = match (parts.next(), parts.next()) {
        (Some("posts"), Some(id)) => id,
        _ => {
            return Err(format!(
                "`{url}` is not a post's address: expected https://{host}/posts/ID/..."
            ));
        }
    };
    if host.is_empty() || !post_id.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(format!("`{url}` is not a post's address"));
    }
    Ok(Post {
        endpoint: format!("https://{host}/graphql"),
        post_id: post_id.to_string(),
        host: host.to_ascii_lowercase(),
    })
}

/// Every page of the post's comments, each as the text the server sent.
pub fn fetch(post: &Post, timeout: Option<Duration>) -> Result<Vec<SourceFile>, Box<Diagnostic>> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(timeout.unwrap_or(TIMEOUT)))
        .user_agent(concat!(
            "quire/",
            env!("CARGO_PKG_VERSION"),
            " (comment import)"
        ))
        .build()
        .into();
    let mut pages = Vec::new();
    let mut seen_first: Option<String> = None;
    let mut offset = 0;
    for n in 0..MAX_PAGES {
        let body = serde_json::json!({
            "query": QUERY,
            "variables": { "postId": post.post_id, "limit": PAGE, "offset": offset },
        });
        let text = request(&agent, post, &body)?;
        let name = format!("{} (page {})", post.endpoint, n + 1);
        // How many comments came back, and the first id, to know when to stop.
        let value: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        let results = value
            .pointer("/data/comments/results")
            .and_then(serde_json::Value::as_array);
        let count = results.map_or(0, Vec::len);
        let first = results
            .and_then(|r| r.first())
            .and_then(|c| c.get("_id"))
            .and_then(serde_json::Value::as_str)
            .map(str::to_string);
        if n > 0 && count > 0 && first == seen_first {
            return Err(Box::new(Diagnostic::error(format!(
                "{} returned the same page twice: it ignores `offset`, so the thread can't be read page by page",
                post.endpoint
            ))));
        }
        if n == 0 {
            seen_first = first;
        }
        // A server may send fewer than asked for (its own cap), so only an empty page
        // (or an answer without comments, which `forum` reports) ends the thread.
        if count > 0 || n == 0 {
            pages.push(SourceFile::new(name, text));
        }
        if count == 0 {
            return Ok(pages);
        }
        offset += count;
    }
    Err(Box::new(Diagnostic::error(format!(
        "{} kept sending comments past {} pages of {PAGE}; stopped",
        post.endpoint, MAX_PAGES
    ))))
}

fn request(
    agent: &ureq::Agent,
    post: &Post,
    body: &serde_json::Value,
) -> Result<String, Box<Diagnostic>> {
    let offline = |e: &dyn std::fmt::Display| {
        Box::new(Diagnostic::error(format!("cannot reach {}: {e}", post.endpoint)).help(
            "check the network connection (or save the API's answer in a file and run `quire import forum FILE.json`)",
        ))
    };
    let mut response = match agent
        .post(&post.endpoint)
        .header("Content-Type", "application/json")
        .config()
        .http_status_as_error(false)
        .build()
        .send(body.to_string())
    {
        Ok(r) => r,
        Err(e) => return Err(offline(&e)),
    };
    let status = response.status();
    let text = response
        .body_mut()
        .with_config()
        .limit(MAX_BYTES)
        .read_to_string()
        .map_err(|e| offline(&e))?;
    if !status.is_success() {
        let excerpt: String = text.chars().take(200).collect();
        return Err(Box::new(Diagnostic::error(format!(
            "{} answered {status}: {}",
            post.endpoint,
            excerpt.trim()
        ))));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn post_urls() {
        let p =
            parse_post_url("https://www.lesswrong.com/posts/aBc12/some-slug?commentId=x").unwrap();
        assert_eq!(p.endpoint, "https://www.lesswrong.com/graphql");
        assert_eq!(p.post_id, "aBc12");
        assert!(parse_post_url("https://www.lesswrong.com/tag/ai").is_err());
        assert!(parse_post_url("ftp://x/posts/a").is_err());
        assert!(parse_post_url("https://x/posts/a%20b").is_err());
    }
}
