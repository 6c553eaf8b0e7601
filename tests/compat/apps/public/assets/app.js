console.log('assets');
