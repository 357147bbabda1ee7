"""S3-compatible storage whose public URLs are the portal's own `/media/…`, served by nginx from the bucket."""

from urllib.parse import urljoin

from django.conf import settings
from django.utils.encoding import filepath_to_uri
from storages.backends.s3 import S3Storage
from storages.utils import clean_name


class MediaS3Storage(S3Storage):
    """Files live in the bucket; links point at MEDIA_URL, so pages never name the bucket's host.

    nginx proxies MEDIA_URL to the bucket (deploy/nginx/portal-s3.conf.template) and refuses the private
    prefixes, which only their views serve (through this storage's `open`)."""

    def url(self, name, parameters=None, expire=None, http_method=None):
        return urljoin(settings.MEDIA_URL, filepath_to_uri(self._normalize_name(clean_name(name))))
