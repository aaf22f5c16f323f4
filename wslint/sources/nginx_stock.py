"""Stock include files: what configs include but repositories never contain, by their published contents.

An ``include`` of one of these that matches no file in the linted tree is read as the text
below (a file of that name in the tree always wins). Each text keeps the published file's
directives that wslint could read, with their published values; the entries of a table
(``types``, ``charset_map``) are left out, as nothing wslint checks lives there. None of them
sets a ``proxy_*`` timeout, ``proxy_http_version`` or an Upgrade/Connection header, which is
what makes a location that includes them decidable.

A stock file is recognised by the end of the include's path: ``proxy_params`` matches
``include proxy_params;`` and ``include /etc/nginx/proxy_params;``; ``snippets/fastcgi-php.conf``
needs its ``snippets/`` folder. Globs never match.
"""

from __future__ import annotations

from typing import NamedTuple

NGINX = (
    "nginx's conf/{name} (https://github.com/nginx/nginx/blob/release-1.22.1/conf/{name}; "
    "Debian installs it as /etc/nginx/{name})"
)
DEBIAN = (
    "Debian's nginx source package, debian/conf/{path} "
    "(nginx-common 1.22.1-9+deb12u12 installs it as /etc/nginx/{path})"
)


class Stock(NamedTuple):
    name: str  # the end of the include's path that identifies it
    source: str  # where its contents are published
    text: str  # the directives wslint reads, as published


STOCK = (
    Stock(
        "options-ssl-nginx.conf",
        "certbot's options-ssl-nginx.conf, which certbot copies to /etc/letsencrypt "
        "(https://github.com/certbot/certbot/blob/f769e35e77f1fa21a75cd5418641502dad8a37c5/"
        "certbot/src/certbot/_internal/plugins/nginx/tls_configs/options-ssl-nginx.conf; older releases ship it at "
        "certbot-nginx/certbot_nginx/_internal/tls_configs/; its variants hold ssl_* directives only)",
        # ssl_ciphers (a cipher list) left out
        "ssl_session_cache shared:le_nginx_SSL:10m;\nssl_session_timeout 1440m;\nssl_session_tickets off;\n"
        "ssl_protocols TLSv1.2 TLSv1.3;\nssl_prefer_server_ciphers off;\n",
    ),
    Stock(
        "proxy_params",
        DEBIAN.format(path="proxy_params"),
        # before 1.22.1-9+deb12u12 Host was $http_host
        "proxy_set_header Host $host;\nproxy_set_header X-Real-IP $remote_addr;\n"
        "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\nproxy_set_header X-Forwarded-Proto $scheme;\n",
    ),
    Stock(
        "snippets/fastcgi-php.conf",
        DEBIAN.format(path="snippets/fastcgi-php.conf"),
        "fastcgi_split_path_info ^(.+?\\.php)(/.*)$;\ntry_files $fastcgi_script_name =404;\n"
        "set $path_info $fastcgi_path_info;\nfastcgi_param PATH_INFO $path_info;\nfastcgi_index index.php;\n"
        "include fastcgi.conf;\n",
    ),
    Stock(
        "snippets/snakeoil.conf",
        DEBIAN.format(path="snippets/snakeoil.conf"),
        "ssl_certificate /etc/ssl/certs/ssl-cert-snakeoil.pem;\n"
        "ssl_certificate_key /etc/ssl/private/ssl-cert-snakeoil.key;\n",
    ),
    # fastcgi_param / uwsgi_param / scgi_param lines only: none is read by wslint
    Stock("fastcgi_params", NGINX.format(name="fastcgi_params"), ""),
    Stock("fastcgi.conf", NGINX.format(name="fastcgi.conf"), ""),
    Stock("uwsgi_params", NGINX.format(name="uwsgi_params"), ""),
    Stock("scgi_params", NGINX.format(name="scgi_params"), ""),
    Stock("mime.types", NGINX.format(name="mime.types"), "types {\n}\n"),
    Stock("koi-utf", NGINX.format(name="koi-utf"), "charset_map koi8-r utf-8 {\n}\n"),
    Stock("koi-win", NGINX.format(name="koi-win"), "charset_map koi8-r windows-1251 {\n}\n"),
    Stock("win-utf", NGINX.format(name="win-utf"), "charset_map windows-1251 utf-8 {\n}\n"),
)
_BY_BASENAME = {s.name.rsplit("/", 1)[-1]: s for s in STOCK}


def find(pattern: str) -> Stock | None:
    """The stock file an include's path names, by its ending; None for any other path or a glob."""
    path = pattern.replace("\\", "/")
    stock = _BY_BASENAME.get(path.rsplit("/", 1)[-1])
    if stock is None or any(c in path for c in "*?["):
        return None
    if path == stock.name or path.endswith("/" + stock.name):
        return stock
    return None
