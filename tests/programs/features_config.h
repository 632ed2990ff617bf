/* features_config.h -- a config.h as autoconf's AC_USE_SYSTEM_EXTENSIONS
** writes it, in part: features_config.c includes it first. */
#ifndef _ALL_SOURCE
# define _ALL_SOURCE 1
#endif
/* Enable GNU extensions on systems that have them.  */
#ifndef _GNU_SOURCE
# define _GNU_SOURCE 1
#endif
