"""The schema's additions: the bearer token as the way in (an authentication
extension), and every operation's problems (RFC 9457; a post-processing hook)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.TokenAuthentication"
    name = "bearerToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "API 令牌，由账号管理员在后台签发。An API token, issued by an "
            "account manager in the admin: Authorization: Bearer csp_…",
        }


PROBLEM = {
    "type": "object",
    "description": "问题详情（RFC 9457），按请求语言。Problem details (RFC 9457), in the "
    "requester's language.",
    "required": ["type", "title", "status", "detail", "code", "instance"],
    "properties": {
        "type": {"type": "string", "description": "about:blank"},
        "title": {"type": "string", "description": "简短标题。A short title."},
        "status": {"type": "integer", "description": "HTTP 状态码。The HTTP status."},
        "detail": {"type": "string", "description": "说明。What happened."},
        "code": {
            "type": "string",
            "description": "稳定的机器可读代码，如 not_found、invalid、throttled。"
            "A stable code for programs: not_found, invalid, throttled …",
        },
        "instance": {"type": "string", "description": "请求的路径。The request's path."},
        "errors": {
            "type": "array",
            "description": "校验错误（400）：item 为第几条（从 1 起，写入时），field，message。"
            "Validation errors (400): item (from 1, in writes), field, message.",
            "items": {
                "type": "object",
                "properties": {
                    "item": {"type": "integer"},
                    "field": {"type": "string"},
                    "message": {"type": "string"},
                },
            },
        },
    },
}
STATUSES = {
    "400": "请求有误 Invalid request",
    "401": "缺少令牌或令牌无效、过期、已撤销 Token missing, invalid, expired or revoked",
    "403": "只读令牌不能写 A read-only token cannot write",
    "404": "不存在或不在令牌范围内 Not found, or outside the token's scope",
    "406": "不可接受的 Accept Not acceptable",
    "429": "请求过多，见 Retry-After Too many requests: see Retry-After",
}
WRITE_STATUSES = {
    "415": "请求体须为 JSON The body must be JSON",
    "422": "Idempotency-Key 已用于另一请求 The Idempotency-Key was used for another request",
}


def _problem_response(description):
    return {
        "description": description,
        "content": {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        },
    }


def problem_responses(result, generator, request, public):
    """Add the Problem schema and the problems of every operation."""
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            statuses = dict(STATUSES)
            if method in ("post", "put", "patch"):
                statuses.update(WRITE_STATUSES)
            for code, description in statuses.items():
                operation.setdefault("responses", {}).setdefault(
                    code, _problem_response(description)
                )
    return result
